"""Conversation memory in MySQL (chat_messages): each user turn stores its resolved intent, so a follow-up
like 「じゃあ明日は？」 or 「札幌は？」 is parsed against the session's previous intent."""
from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Awaitable, Callable

import aiomysql

from aimee.gateway.v1 import gateway_pb2
from aimee.intent.v1 import intent_pb2
from services.common.db import fetch_all, fetch_one
from services.common.errors import InvalidArgument
from services.gateway import validation
from services.intent.model import Intent
from services.intent.question.model import Question
from services.intent.wire import from_proto, to_proto

Ask = Callable[[intent_pb2.Intent | None], Awaitable[gateway_pb2.Answer]]
_INSERT = ("INSERT INTO chat_messages (session_id, user_id, role, content, intent_json) "
           "VALUES (%s, %s, %s, %s, %s)")


_INTENT_FIELDS = {f.name for f in dataclasses.fields(Intent)}
_EMPTY = dataclasses.asdict(from_proto(intent_pb2.Intent()))  # a field a row lacks reads as the message's default


def intent_row(intent: intent_pb2.Intent) -> str:
    """The stored form of a turn's intent: the domain Intent as JSON (our own column shape, not a proto's
    JSON mapping, so renaming a proto field never orphans stored conversations)."""
    return json.dumps(dataclasses.asdict(from_proto(intent)), ensure_ascii=False)


def intent_from_row(text: str) -> intent_pb2.Intent:
    """A stored intent back as the message; unknown keys (older or newer rows) are ignored."""
    values = {**_EMPTY, **{k: v for k, v in json.loads(text).items() if k in _INTENT_FIELDS}}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    question = values.get("question")
    if isinstance(question, dict):  # the typed question, stored as its own fields
        fields = {f.name for f in dataclasses.fields(Question)}
        q = {k: tuple(v) if isinstance(v, list) else v for k, v in question.items() if k in fields}
        values["question"] = Question(**q) if q.get("metric") else None
    return to_proto(Intent(**values))


def _check_ids(session_id: str, user_id: str) -> None:
    """Checked again here (not only at intake) because nothing may be computed for a turn that cannot be stored."""
    validation.check_text("session_id", session_id)
    validation.check_text("user_id", user_id)


class ChatStore:
    def __init__(self, pool):
        self.pool = pool

    async def previous_intent(self, session_id: str) -> intent_pb2.Intent | None:
        row = await fetch_one(
            self.pool,
            "SELECT intent_json FROM chat_messages WHERE session_id = %s AND role = 'user' "
            "AND intent_json IS NOT NULL ORDER BY message_id DESC LIMIT 1",
            (session_id,))
        if not row or not row["intent_json"]:
            return None
        return intent_from_row(row["intent_json"])

    async def _store_turn(self, session_id: str, user_id: str, text: str, answer: gateway_pb2.Answer
                          ) -> tuple[gateway_pb2.ChatMessage, gateway_pb2.ChatMessage]:
        """Both rows of a turn in one transaction: a conversation never keeps a question without its answer."""
        intent_json = intent_row(answer.intent)
        rows = (("user", text, intent_json), ("assistant", answer.narrative or answer.answer, None))
        async with self.pool.acquire() as conn:
            await conn.begin()
            try:
                async with conn.cursor(aiomysql.DictCursor) as cur:
                    ids = []
                    for role, content, intent in rows:
                        await cur.execute(_INSERT, (session_id, user_id, role, content, intent))
                        ids.append(cur.lastrowid)
                    await cur.execute("SELECT message_id, created_at FROM chat_messages WHERE message_id IN (%s, %s)",
                                      ids)
                    created = {r["message_id"]: r["created_at"].isoformat() for r in await cur.fetchall()}
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise
        user_msg, assistant_msg = (
            gateway_pb2.ChatMessage(message_id=message_id, session_id=session_id, role=role, content=content,
                                    created_at=created.get(message_id, ""))
            for message_id, (role, content, _) in zip(ids, rows))
        user_msg.intent.CopyFrom(answer.intent)
        return user_msg, assistant_msg

    async def converse(self, ask: Ask, session_id: str, user_id: str, text: str
                       ) -> gateway_pb2.PostChatMessageResponse:
        """One turn: `ask(previous intent)` computes the answer, then the turn is stored.

        The ids are checked before anything is computed, so a turn that could not be stored is never answered.
        """
        session_id = session_id or f"sess_{uuid.uuid4().hex[:12]}"
        _check_ids(session_id, user_id)
        previous = await self.previous_intent(session_id)
        answer = await ask(previous)
        user_msg, assistant_msg = await self._store_turn(session_id, user_id, text, answer)
        return gateway_pb2.PostChatMessageResponse(session_id=session_id, reply=answer, user_message=user_msg,
                                                   assistant_message=assistant_msg)

    async def history(self, session_id: str, limit: int) -> gateway_pb2.GetChatHistoryResponse:
        if not session_id:
            raise InvalidArgument("session_id を指定してください")
        validation.check_text("session_id", session_id)
        if not 1 <= limit <= 500:
            raise InvalidArgument("limit は 1〜500 で指定してください")
        rows = await fetch_all(
            self.pool,
            "SELECT message_id, role, content, intent_json, created_at FROM chat_messages "
            "WHERE session_id = %s ORDER BY message_id DESC LIMIT %s", (session_id, limit))
        response = gateway_pb2.GetChatHistoryResponse(session_id=session_id)
        for row in reversed(rows):
            message = response.messages.add(message_id=row["message_id"], session_id=session_id, role=row["role"],
                                            content=row["content"], created_at=row["created_at"].isoformat())
            if row["intent_json"]:
                message.intent.CopyFrom(intent_from_row(row["intent_json"]))
        return response
