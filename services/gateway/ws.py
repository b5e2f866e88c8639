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

from google.protobuf import json_format
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from aimee.gateway.v1 import gateway_pb2
from services.common import request_id
from services.common.echo import clip
from services.common.errors import AimeeError, InvalidArgument
from services.gateway import validation
from services.gateway.auth import (URL_CREDENTIAL_PARAMS, WS_BEARER_PREFIX, WS_PROTOCOL, ws_offered_protocols,
                                   ws_token_ok)
from services.gateway.consult import Consultations
from services.gateway.wire import to_dict

log = logging.getLogger("aimee.gateway.ws")
# A message over this closes the connection (1009); anything below it is parsed and held to the same field
# limits as REST, so an over-long query is an error event on a connection that stays open. 1 MiB like
# Envoy's body limit for REST.
MAX_MESSAGE_BYTES = 1024 * 1024
INTERNAL = "内部エラーが発生しました。管理者に request_id {rid} をお伝えください"


def _parse(raw) -> dict:
    """A message is a JSON object, or plain text taken as the query."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidArgument("メッセージは UTF-8 のテキストで送ってください") from exc
    text = raw.strip()
    if not text.startswith(("{", "[")):
        return {"query": text}
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"JSON を解析できません: {exc.msg}（{exc.pos}文字目）") from exc
    if not isinstance(payload, dict):
        raise InvalidArgument('JSON オブジェクトを送ってください（例: {"query": "横浜のアラート件数は？"}）')
    return payload


def _request(payload: dict, session_id: str):
    """The payload as the REST request it mirrors (PostChatMessageRequest on /ws/chat, else OptimizeRequest),
    typed and checked by the same rules as REST; `query` and `message` are the same field here."""
    payload = dict(payload)
    if session_id:
        payload.setdefault("message", payload.pop("query", ""))
        payload["session_id"] = session_id
        message = gateway_pb2.PostChatMessageRequest()
    else:
        payload.setdefault("query", payload.pop("message", ""))
        message = gateway_pb2.OptimizeRequest()
    _check_shape(payload, message.DESCRIPTOR)
    try:
        json_format.ParseDict(payload, message)
    except json_format.ParseError as exc:  # pragma: no cover - _check_shape refuses what ParseDict would
        raise InvalidArgument(f"メッセージの形式が正しくありません: {clip(str(exc), 200)}") from exc
    return validation.check(message)


def _check_shape(payload: dict, descriptor, prefix: str = "") -> None:
    """Names and JSON types of a payload against the message, with Japanese messages (ParseDict's are English).

    Every scalar field of the two WebSocket requests (OptimizeRequest, PostChatMessageRequest) is a string."""
    for key, value in payload.items():
        field = descriptor.fields_by_name.get(key)
        label = f"{prefix}{clip(key)}"
        if field is None:
            names = "、".join(f.name for f in descriptor.fields)
            raise InvalidArgument(f"項目 {label} は使えません。使える項目: {names}")
        if value is None:
            continue
        if field.message_type is not None:
            if not isinstance(value, dict):
                raise InvalidArgument(f"{label} は JSON オブジェクトで指定してください")
            _check_shape(value, field.message_type, f"{label}.")
        elif not isinstance(value, str):
            raise InvalidArgument(f"{label} は文字列で指定してください（現在: {type(value).__name__}）")


def _select_subprotocol(connection: ServerConnection, offered) -> str | None:
    """Echo the plain protocol (never the bearer one); clients that offer none still connect."""
    return WS_PROTOCOL if WS_PROTOCOL in offered else None


class WebSocketBridge:
    def __init__(self, orchestrator, chat, tokens: tuple[str, ...]):
        self.orchestrator, self.chat, self.tokens = orchestrator, chat, tokens
        self.consult = Consultations(chat)

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
                rid = request_id.new_request_id()
                token = request_id.bind(rid)
                try:
                    await self._one(raw, session_id, send, connection)
                except AimeeError as exc:
                    await send({"type": "error", "code": exc.code, "message": exc.message})
                except ConnectionClosed:
                    raise
                except Exception:  # noqa: BLE001 - one bad message must not close the connection
                    log.exception("websocket message failed")
                    await send({"type": "error", "code": "INTERNAL", "message": INTERNAL.format(rid=rid)})
                finally:
                    request_id.reset(token)
        except ConnectionClosed:
            return

    async def _one(self, raw, session_id: str, send, connection: ServerConnection) -> None:
        request = _request(_parse(raw), session_id)
        if session_id:
            text = validation.required_text(request.message, "message", "メッセージ")
            response = await self.chat.converse(
                lambda previous: self.orchestrator.answer(text, previous=previous, sink=send),
                session_id, request.user_id, text)
            await connection.send(json.dumps({"type": "stored", "session_id": session_id,
                                              "message_id": response.assistant_message.message_id}))
            return
        query = validation.query_text(request.query)
        await self.consult.run("ws:ai/stream", query, request.context,
                               lambda previous: self.orchestrator.answer(query, previous=previous, sink=send))

    async def start(self, host: str, port: int):
        return await serve(self.handler, host, port, process_request=self._authorise, max_size=MAX_MESSAGE_BYTES,
                           subprotocols=[WS_PROTOCOL], select_subprotocol=_select_subprotocol)
