"""WebSocket bridge (Envoy routes /ws/ here over HTTP/1.1).

/ws/ai/stream          one JSON request per message → progress events per stage, narrative chunks, final answer
/ws/chat/{session_id}  live conversation with memory (same events, stored like POST /api/v1/chat/messages)
Events: {"type": "progress"|"narrative"|"final"|"error", ...}; the final answer has the REST shape.
"""
from __future__ import annotations

import json
import logging
from http import HTTPStatus
from urllib.parse import parse_qsl

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from services.common import request_id
from services.common.errors import AimeeError
from services.gateway.auth import (URL_CREDENTIAL_PARAMS, WS_BEARER_PREFIX, WS_PROTOCOL, ws_offered_protocols,
                                   ws_token_ok)
from services.gateway.servicer import validate_query
from services.gateway.wire import to_dict

log = logging.getLogger("aimee.gateway.ws")
MAX_MESSAGE_BYTES = 64 * 1024


def _parse(raw) -> dict:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    raw = raw.strip()
    if raw.startswith("{"):
        try:
            payload = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"JSON を解析できません: {exc.msg}（{exc.pos}文字目）") from exc
        if not isinstance(payload, dict):
            raise ValueError("JSON オブジェクトを送ってください")
        return payload
    return {"query": raw}


def _select_subprotocol(connection: ServerConnection, offered) -> str | None:
    """Echo the plain protocol (never the bearer one); clients that offer none still connect."""
    return WS_PROTOCOL if WS_PROTOCOL in offered else None


class WebSocketBridge:
    def __init__(self, orchestrator, chat, tokens: tuple[str, ...]):
        self.orchestrator, self.chat, self.tokens = orchestrator, chat, tokens

    def _authorise(self, connection: ServerConnection, request):
        """Handshake check (see services/gateway/auth.py): token in a header or a subprotocol, never the URL."""
        path, _, query = request.path.partition("?")
        if URL_CREDENTIAL_PARAMS & {key.lower() for key, _ in parse_qsl(query, keep_blank_values=True)}:
            return connection.respond(HTTPStatus.BAD_REQUEST,
                                      "トークンを URL に含めないでください（ログに残ります）。Sec-WebSocket-Protocol の "
                                      f"{WS_BEARER_PREFIX}<token> か Authorization ヘッダーで送ってください\n")
        protocols = ws_offered_protocols(request.headers.get_all("Sec-WebSocket-Protocol"))
        if any(p.startswith(WS_BEARER_PREFIX) for p in protocols) and WS_PROTOCOL not in protocols:
            return connection.respond(HTTPStatus.BAD_REQUEST,
                                      f"Sec-WebSocket-Protocol には {WS_BEARER_PREFIX}<token> と一緒に "
                                      f"{WS_PROTOCOL} も指定してください\n")
        if self.tokens and not ws_token_ok(request.headers.get("Authorization", ""), protocols, self.tokens):
            return connection.respond(HTTPStatus.UNAUTHORIZED,
                                      f"認証が必要です: Sec-WebSocket-Protocol に {WS_BEARER_PREFIX}<token>, "
                                      f"{WS_PROTOCOL} を指定するか Authorization: Bearer <token> を付けてください\n")
        if path != "/ws/ai/stream" and not (path.startswith("/ws/chat/") and len(path) > len("/ws/chat/")):
            return connection.respond(HTTPStatus.NOT_FOUND, f"WebSocket パスが見つかりません: {path}\n")
        return None

    async def handler(self, connection: ServerConnection) -> None:
        path = connection.request.path.split("?")[0]
        session_id = path[len("/ws/chat/"):] if path.startswith("/ws/chat/") else ""

        async def send(event: dict) -> None:
            if event.get("type") == "final":
                event = {"type": "final", "answer": to_dict(event["answer"])}
            await connection.send(json.dumps(event, ensure_ascii=False))

        try:
            async for raw in connection:
                token = request_id.bind(request_id.new_request_id())
                try:
                    payload = _parse(raw)
                    query = validate_query(payload.get("query") or payload.get("message") or "")
                    if session_id:
                        response = await self.chat.converse(self.orchestrator, session_id,
                                                            str(payload.get("user_id", "")), query, sink=send)
                        await connection.send(json.dumps({"type": "stored", "session_id": session_id,
                                                          "message_id": response.assistant_message.message_id}))
                    else:
                        await self.orchestrator.answer(query, sink=send)
                except (ValueError, AimeeError) as exc:
                    code = getattr(exc, "code", "INVALID_ARGUMENT")
                    await connection.send(json.dumps({"type": "error", "code": code,
                                                      "message": getattr(exc, "message", str(exc))},
                                                     ensure_ascii=False))
                finally:
                    request_id.reset(token)
        except ConnectionClosed:
            return

    async def start(self, host: str, port: int):
        return await serve(self.handler, host, port, process_request=self._authorise, max_size=MAX_MESSAGE_BYTES,
                           subprotocols=[WS_PROTOCOL], select_subprotocol=_select_subprotocol)
