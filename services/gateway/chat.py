"""Conversation memory in MySQL (chat_messages): each user turn stores its resolved intent, so a follow-up
like 「じゃあ明日は？」 or 「札幌は？」 is parsed against the session's previous intent."""
from __future__ import annotations

import uuid

from google.protobuf import json_format

from aimee.gateway.v1 import gateway_pb2
from aimee.intent.v1 import intent_pb2
from services.common.db import execute, fetch_all, fetch_one
from services.common.errors import InvalidArgument

MAX_SESSION_ID = 64


def _check_session(session_id: str) -> str:
    if len(session_id) > MAX_SESSION_ID:
        raise InvalidArgument(f"session_id は {MAX_SESSION_ID} 文字以内にしてください")
    return session_id


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
        return json_format.Parse(row["intent_json"], intent_pb2.Intent(), ignore_unknown_fields=True)

    async def _store(self, session_id: str, user_id: str, role: str, content: str,
                     intent: intent_pb2.Intent | None) -> gateway_pb2.ChatMessage:
        intent_json = json_format.MessageToJson(intent, preserving_proto_field_name=True) if intent else None
        message_id = await execute(
            self.pool,
            "INSERT INTO chat_messages (session_id, user_id, role, content, intent_json) VALUES (%s, %s, %s, %s, %s)",
            (session_id, user_id, role, content, intent_json))
        row = await fetch_one(self.pool, "SELECT created_at FROM chat_messages WHERE message_id = %s", (message_id,))
        message = gateway_pb2.ChatMessage(message_id=message_id, session_id=session_id, role=role, content=content,
                                          created_at=row["created_at"].isoformat() if row else "")
        if intent is not None:
            message.intent.CopyFrom(intent)
        return message

    async def converse(self, orchestrator, session_id: str, user_id: str, text: str, sink=None
                       ) -> gateway_pb2.PostChatMessageResponse:
        session_id = _check_session(session_id or f"sess_{uuid.uuid4().hex[:12]}")
        previous = await self.previous_intent(session_id)
        answer = await orchestrator.answer(text, previous=previous, sink=sink)
        user_msg = await self._store(session_id, user_id, "user", text, answer.intent)
        assistant_msg = await self._store(session_id, user_id, "assistant", answer.narrative or answer.answer, None)
        return gateway_pb2.PostChatMessageResponse(session_id=session_id, reply=answer, user_message=user_msg,
                                                   assistant_message=assistant_msg)

    async def history(self, session_id: str, limit: int) -> gateway_pb2.GetChatHistoryResponse:
        if not session_id:
            raise InvalidArgument("session_id を指定してください")
        _check_session(session_id)
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
                json_format.Parse(row["intent_json"], message.intent, ignore_unknown_fields=True)
        return response
