"""The consultation path shared by REST and WebSocket: audit the caller, then answer inside their conversation.

A request's `context` is used, never dropped: `session_id` → the turn is answered against that
conversation's memory and stored in it (chat_messages, with `user_id`); every consultation writes one
audit log line (logger aimee.gateway.audit) with user, session, urgency and request id.
"""
from __future__ import annotations

import logging

from aimee.gateway.v1 import gateway_pb2
from services.common import request_id
from services.gateway.chat import Ask, ChatStore

audit = logging.getLogger("aimee.gateway.audit")


class Consultations:
    """Audit, then answer: inside the named conversation when `ctx.session_id` is set."""

    def __init__(self, chat: ChatStore):
        self.chat = chat

    async def run(self, rpc: str, text: str, ctx: gateway_pb2.RequestContext, ask: Ask) -> gateway_pb2.Answer:
        audit.info("consultation", extra={"fields": {
            "rpc": rpc, "user_id": ctx.user_id, "session_id": ctx.session_id, "urgency": ctx.urgency or "medium",
            "request_id": request_id.current()}})
        if not ctx.session_id:
            return await ask(None)
        turn = await self.chat.converse(ask, ctx.session_id, ctx.user_id, text)
        return turn.reply
