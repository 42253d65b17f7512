"""A small local fake of the Telegram Bot API for end-to-end tests (GUIDE.md section 6).

An aiohttp server on 127.0.0.1 that python-telegram-bot's real HTTP stack talks to:

    async with FakeBotApi() as api:
        app = ApplicationBuilder().token(TOKEN).base_url(f"{api.url}/bot").build()

PTB POSTs every call to ``{base_url}{token}/{method}`` as a form (urlencoded, or multipart when a
file is uploaded). String parameters are sent raw; everything else (ints, bools, lists, dicts such
as ``reply_markup``) is JSON-encoded -- so the fake keeps known string fields raw and JSON-decodes
the rest. Telegram semantics copied on purpose: updates stay queued until ``getUpdates`` confirms
them with a higher ``offset``; callback/inline query ids can be answered once; editing to identical
content is "message is not modified"; only inline keyboards are echoed back in ``reply_markup``;
returned messages carry the plain text (tags stripped), as Telegram's do. No file downloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web

TOKEN = "123456:TEST-token-for-fake-api"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Stunting Test Bot",
            "username": "stunting_test_bot"}
GROUP_USER_ID = 5_000_001  # default sender in groups when no user_id is given
MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA, MAX_INLINE_RESULTS = 4096, 1024, 64, 50
# Form fields PTB sends as raw strings: never JSON-decode them ("123" must stay a string).
STRING_FIELDS = {"text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "url",
                 "secret_token", "query", "data", "language_code", "next_offset", "action",
                 "inline_message_id", "ip_address", "business_connection_id", "message_effect_id"}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "tg-spoiler", "span", "blockquote", "tg-emoji"}
ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}  # the only named ones Telegram knows
# A tag (possibly unclosed), a known entity, a run of plain text, or a lone "&".
HTML_TOKEN = re.compile(r"<(/?)([^>]*)(>?)|&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);|[^<&]+|&")
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")


class ApiError(Exception):
    """An error answer: {"ok": false, "error_code": status, "description": ..., "parameters"?}."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def body(self) -> dict:
        body = {"ok": False, "error_code": self.status, "description": self.description}
        return body | ({"parameters": self.parameters} if self.parameters else {})


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets/lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """Validate Telegram-flavoured HTML as the real server does; return the plain text."""
    out: list[str] = []
    stack: list[str] = []
    for m in HTML_TOKEN.finditer(text):
        closing, inner, closed, entity = m.groups()
        where = f"at byte offset {len(text[:m.start()].encode())}"
        if entity:
            out.append(ENTITIES.get(entity) or
                       chr(int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:])))
        elif not m.group().startswith("<"):
            out.append(m.group())  # plain text, or an "&" that starts no entity (kept literally)
        elif not closed:
            raise _bad(f"can't parse entities: Unclosed start tag {where}")
        elif closing:
            name = inner.strip().lower()
            if not stack:
                raise _bad(f"can't parse entities: Unexpected end tag {where}")
            if name != stack[-1]:
                raise _bad(f"can't parse entities: Unmatched end tag {where}, "
                           f'expected "</{stack[-1]}>", found "</{name}>"')
            stack.pop()
        else:
            name = (inner.split() or [""])[0].lower()
            if name not in ALLOWED_TAGS:
                raise _bad(f'can\'t parse entities: Unsupported start tag "{name}" {where}')
            attrs = dict(re.findall(r'([\w-]+)\s*=\s*["\']?([^"\'\s>]*)', inner))
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _bad('can\'t parse entities: Tag "span" must have class "tg-spoiler"')
            stack.append(name)
    if stack:
        raise _bad(f'can\'t parse entities: Can\'t find end tag corresponding to start tag '
                   f'"{stack[-1]}"')
    return "".join(out)


def check_text(text: Any, parse_mode: Any, limit: int = MAX_TEXT, caption: bool = False) -> str:
    """Return the plain text (what Telegram stores) or raise the error Telegram would."""
    text = "" if text is None else str(text)
    plain = parse_html(text) if str(parse_mode or "").upper() == "HTML" else text
    if not caption and not plain.strip():
        raise _bad("message text is empty")
    if len(plain) > limit:  # Telegram counts the text *after* entity parsing
        raise _bad("message caption is too long" if caption else "message is too long")
    return plain


def check_markup(markup: Any) -> dict | None:
    """Refuse bad callback_data; return what Telegram echoes (inline keyboards only)."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for button in itertools.chain.from_iterable(markup["inline_keyboard"]):
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
            raise _bad("BUTTON_DATA_INVALID")
    return markup


def entities_for(text: str) -> list[dict]:
    """bot_command for a leading /command, mention for every @username."""
    found = []
    if m := re.match(r"/\w+(@\w+)?", text):
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(m.group())})
    for m in re.finditer(r"(?<![\w@/])@\w{3,32}", text):
        found.append({"type": "mention", "offset": utf16_len(text[:m.start()]),
                      "length": utf16_len(m.group())})
    return found


class FakeBotApi:
    """The fake server. All state is public, for assertions."""

    METHODS = ("getMe", "forwardMessage", "getUpdates", "deleteWebhook", "getWebhookInfo", "setWebhook",
               "sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery",
               "setMyCommands", "getMyCommands", "answerInlineQuery",
               "sendPhoto", "sendChatAction", "close", "logOut",
               "setMyDescription", "getMyDescription", "setMyShortDescription", "getMyShortDescription")
    DESCRIPTION_LIMITS = {"description": 512, "short_description": 120}

    def __init__(self, token: str = TOKEN):
        self.token = token
        self.url = ""                                     # "http://127.0.0.1:PORT" once started
        self.sent: list[dict] = []                        # successful message-producing calls
        self.calls: list[dict] = []                       # every request: method, params, status
        self.commands: dict[tuple[str, str], list] = {}   # (scope as JSON, language) -> commands
        self.descriptions: dict[tuple[str, str], str] = {}  # (kind, language) -> the bot's (short) description
        self.webhook: dict = {"url": "", "secret_token": None}
        self.updates: list[dict] = []                     # pending (unconfirmed) updates
        self._delays: list[dict] = []                     # delay_next
        self.messages: dict[tuple[int, int], dict] = {}   # (chat_id, message_id) -> Message
        self._update_ids, self._query_ids = itertools.count(10_000), itertools.count(1)
        self._last_message_id: Counter = Counter()        # per chat, shared by bot and people
        self._queries: dict[str, int | None] = {}         # unanswered query id -> chat id
        self._faults: list[dict] = []
        self._blocked: set = set()
        self._missing: set = set()
        self._events = {"updates": asyncio.Event(), "sent": asyncio.Event()}
        self._runner: web.AppRunner | None = None
        self._closing = False

    # ---------------------------------------------------------------- lifecycle
    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=50 * 2**20)  # photo uploads up to 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/stats", self._handle_stats)
        # Cancel a handler when its client hangs up (PTB cancels its long poll on stop).
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        self._closing = True
        self._pulse("updates")  # pending long polls return [] at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _pulse(self, name: str) -> None:
        """Wake everyone waiting on an event; later waiters get a fresh one."""
        self._events[name].set()
        self._events[name] = asyncio.Event()

    async def _wait(self, name: str, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._events[name].wait(), max(timeout, 0))

    # ---------------------------------------------------------------- HTTP plumbing
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        asked = request.match_info["method"]  # Telegram ignores the case of method names
        method = next((m for m in self.METHODS if m.lower() == asked.lower()), asked)
        params = await self._read_params(request)
        call = {"method": method, "params": params, "time": time.monotonic(), "status": 200}
        self.calls.append(call)
        try:
            if method not in self.METHODS:
                raise ApiError(404, "Not Found: method not found")
            self._check_faults(method, params)
            result = getattr(self, f"_m_{method}")(params)
            if asyncio.iscoroutine(result):
                result = await result
            await self._delay(method, params)  # done, but the answer comes late (a slow network)
        except ApiError as exc:
            call["status"] = exc.status
            return web.json_response(exc.body(), status=exc.status)
        except Exception as exc:  # a bug in the fake, or a request it cannot make sense of
            call["status"] = 500
            body = ApiError(500, f"Internal Server Error: fake_bot_api failed: {exc!r}").body()
            return web.json_response(body, status=500)
        return web.json_response({"ok": True, "result": result})

    async def _handle_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    @staticmethod
    async def _read_params(request: web.Request) -> dict:
        if request.content_type == "application/json":  # other clients may post JSON
            return dict(request.query) | await request.json()
        params: dict[str, Any] = {}
        for key, value in [*request.query.items(), *(await request.post()).items()]:
            if isinstance(value, str) and key not in STRING_FIELDS:
                with contextlib.suppress(ValueError):  # e.g. chat_id "@channel", or a file_id/URL as photo
                    value = json.loads(value)
            params[key] = value  # an uploaded file stays an aiohttp FileField
        return params

    def _check_faults(self, method: str, params: dict) -> None:
        for fault in self._faults:
            if fault["method"].lower() == method.lower() and \
                    fault["chat_id"] in (None, params.get("chat_id")):
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self._faults.remove(fault)
                raise ApiError(fault["status"], fault["description"], fault["parameters"])

    def _guard_chat(self, chat_id: Any) -> None:
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self._missing or chat_id is None:
            raise _bad("chat not found")

    def _record(self, method: str, params: dict, **extra: Any) -> None:
        self.sent.append({"method": method, "chat_id": params.get("chat_id"),
                          "text": params.get("text"), "parse_mode": params.get("parse_mode"),
                          "reply_markup": params.get("reply_markup"),
                          "link_preview_options": params.get("link_preview_options"),
                          "time": time.monotonic()} | extra)
        self._pulse("sent")

    # ---------------------------------------------------------------- Telegram objects
    @staticmethod
    def _chat(chat_id: int, chat_type: str | None = None, first_name: str = "Siti") -> dict:
        if not isinstance(chat_id, int):  # "@channelusername"
            return {"id": -1001234567890, "type": "channel", "title": "Kanal Uji",
                    "username": str(chat_id).lstrip("@")}
        chat_type = chat_type or ("private" if chat_id > 0 else
                                  "supergroup" if str(chat_id).startswith("-100") else "group")
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": first_name}
        return {"id": chat_id, "type": chat_type, "title": "Grup Uji"}

    @staticmethod
    def _user(user_id: int, first_name: str = "Siti") -> dict:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "id"}

    def _new_message(self, chat: dict, sender: dict, **fields: Any) -> dict:
        self._last_message_id[chat["id"]] += 1
        message = {"message_id": self._last_message_id[chat["id"]], "from": sender,
                   "chat": chat, "date": int(time.time())}
        message |= {key: value for key, value in fields.items() if value is not None}
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _bot_message(self, chat_id: int, **fields: Any) -> dict:
        known = [m["chat"] for (cid, _), m in self.messages.items() if cid == chat_id]
        return self._new_message(known[-1] if known else self._chat(chat_id), BOT_USER, **fields)

    def _editable(self, params: dict) -> dict:
        self._guard_chat(params.get("chat_id"))
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None or message["from"] is not BOT_USER:
            raise _bad("message can't be edited" if message else "message to edit not found")
        return message

    def _use_query(self, query_id: Any) -> int | None:
        if query_id not in self._queries:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        return self._queries.pop(query_id)

    # ---------------------------------------------------------------- Bot API methods
    def _m_getMe(self, params: dict) -> dict:
        return BOT_USER | {"can_join_groups": True, "can_read_all_group_messages": False,
                           "supports_inline_queries": True}

    async def _m_getUpdates(self, params: dict) -> list[dict]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, wanted = params.get("offset") or 0, params.get("allowed_updates") or []
        if offset > 0:    # confirms (forgets) every update below offset
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:  # -N: only the last N are kept
            self.updates = self.updates[offset:]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:  # long poll: wait for an injected update, the timeout, or stop()
            ready = [u for u in self.updates if not wanted or any(k in u for k in wanted)]
            if ready or time.monotonic() >= deadline or self._closing:
                return ready[:limit]
            await self._wait("updates", deadline - time.monotonic())

    def _m_setWebhook(self, params: dict) -> bool:
        self.webhook = {"url": params.get("url") or "", "secret_token": params.get("secret_token"),
                        "allowed_updates": params.get("allowed_updates")}
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def _m_deleteWebhook(self, params: dict) -> bool:
        return self._m_setWebhook({"drop_pending_updates": params.get("drop_pending_updates")})

    def _m_getWebhookInfo(self, params: dict) -> dict:
        return {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self.updates)}

    def _m_sendMessage(self, params: dict) -> dict:
        self._guard_chat(params.get("chat_id"))
        plain = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        message = self._bot_message(params["chat_id"], text=plain, reply_markup=markup)
        self._record("sendMessage", params, message_id=message["message_id"])
        return message

    def _m_forwardMessage(self, params: dict) -> dict:
        self._guard_chat(params.get("chat_id"))
        source = self.messages.get((params.get("from_chat_id"), params.get("message_id")))
        if source is None:
            raise _bad("message to forward not found")
        copied = {key: value for key, value in source.items() if key not in {"message_id", "from", "chat", "date"}}
        message = self._bot_message(params["chat_id"], forward_origin={"type": "user", "date": source["date"],
                                                                         "sender_user": source["from"]}, **copied)
        self._record("forwardMessage", params, message_id=message["message_id"],
                     from_chat_id=params.get("from_chat_id"), forwarded_id=params.get("message_id"))
        return message

    def _m_editMessageText(self, params: dict) -> dict | bool:
        inline_id = params.get("inline_message_id")
        message = None if inline_id else self._editable(params)
        plain = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        if message is not None:
            if message.get("text") == plain and message.get("reply_markup") == markup:
                raise _bad(NOT_MODIFIED)
            self._set_markup(message, markup, text=plain)
        self._record("editMessageText", params, inline_message_id=inline_id,
                     message_id=params.get("message_id"))
        return message or True

    def _m_editMessageReplyMarkup(self, params: dict) -> dict | bool:
        if params.get("inline_message_id"):
            check_markup(params.get("reply_markup"))
            return True
        message = self._editable(params)
        markup = check_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise _bad(NOT_MODIFIED)
        return self._set_markup(message, markup)

    @staticmethod
    def _set_markup(message: dict, markup: dict | None, **changes: Any) -> dict:
        message.pop("reply_markup", None)
        message.update(changes, edit_date=int(time.time()))
        if markup:
            message["reply_markup"] = markup
        return message

    def _m_answerCallbackQuery(self, params: dict) -> bool:
        chat_id = self._use_query(params.get("callback_query_id"))
        self._record("answerCallbackQuery", params | {"chat_id": chat_id},
                     callback_query_id=params.get("callback_query_id"),
                     show_alert=bool(params.get("show_alert")))
        return True

    def _m_answerInlineQuery(self, params: dict) -> bool:
        results = params.get("results") or []
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad("RESULTS_TOO_MUCH")
        for result in results:
            check_markup(result.get("reply_markup"))
        chat_id = self._use_query(params.get("inline_query_id"))
        self._record("answerInlineQuery", params | {"chat_id": chat_id}, results=results,
                     inline_query_id=params.get("inline_query_id"))
        return True

    @staticmethod
    def _scope_key(params: dict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    def _m_setMyCommands(self, params: dict) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100 or not all(  # Telegram wants lower-case names, 1-32 chars
                re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")) and
                1 <= len(c.get("description", "")) <= 256 for c in commands):
            raise _bad("BOT_COMMAND_INVALID")
        self.commands[self._scope_key(params)] = commands
        return True

    def _m_getMyCommands(self, params: dict) -> list:
        return self.commands.get(self._scope_key(params), [])

    def _set_description(self, kind: str, params: dict) -> bool:
        text = params.get(kind) or ""  # empty: back to no description
        if len(text) > self.DESCRIPTION_LIMITS[kind]:
            raise _bad(f"{kind.upper()}_TOO_LONG")
        self.descriptions[(kind, params.get("language_code") or "")] = text
        return True

    def _m_setMyDescription(self, params: dict) -> bool:
        return self._set_description("description", params)

    def _m_getMyDescription(self, params: dict) -> dict:
        return {"description": self.descriptions.get(("description", params.get("language_code") or ""), "")}

    def _m_setMyShortDescription(self, params: dict) -> bool:
        return self._set_description("short_description", params)

    def _m_getMyShortDescription(self, params: dict) -> dict:
        key = ("short_description", params.get("language_code") or "")
        return {"short_description": self.descriptions.get(key, "")}

    def _m_sendPhoto(self, params: dict) -> dict:
        self._guard_chat(params.get("chat_id"))
        caption = check_text(params.get("caption"), params.get("parse_mode"), MAX_CAPTION, True)
        markup = check_markup(params.get("reply_markup"))
        photo = params.get("photo")
        if isinstance(photo, web.FileField):
            size = len(photo.file.read())
        elif isinstance(photo, str) and photo:  # a file_id or URL: nothing uploaded
            size = 0
        else:
            raise _bad("there is no photo in the request")
        n = len(self.sent)
        sizes = [{"file_id": f"photo-{n}-{w}", "file_unique_id": f"u{n}-{w}", "width": w,
                  "height": w * 3 // 4, "file_size": size} for w in (90, 800)]
        message = self._bot_message(params["chat_id"], photo=sizes, caption=caption or None,
                                    reply_markup=markup)
        self._record("sendPhoto", params, caption=params.get("caption"), photo_size=size,
                     message_id=message["message_id"])
        return message

    def _m_sendChatAction(self, params: dict) -> bool:
        self._guard_chat(params.get("chat_id"))
        return True

    def _m_close(self, params: dict) -> bool:
        return True

    _m_logOut = _m_close

    # ---------------------------------------------------------------- injecting updates
    def _push(self, kind: str, payload: dict) -> int:
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        self._pulse("updates")
        return update_id

    # The smallest valid payload of each kind of message that is not text (Bot API field names).
    MEDIA = {
        "voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 4},
        "photo": [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}],
        "video": {"file_id": "vd1", "file_unique_id": "uvd1", "width": 90, "height": 90, "duration": 3},
        "sticker": {"file_id": "s1", "file_unique_id": "us1", "width": 512, "height": 512, "is_animated": False,
                    "is_video": False, "type": "regular"},
        "location": {"latitude": -0.4948, "longitude": 117.1436},
        "document": {"file_id": "d1", "file_unique_id": "ud1", "file_name": "laporan.pdf"},
        "dice": {"emoji": "🎲", "value": 4},
    }

    def user_media(self, chat_id: int, kind: str, caption: str | None = None) -> int:
        """A private message that is not text (``kind`` of MEDIA), with an optional caption."""
        chat = self._chat(chat_id, "private", "Siti")
        message = self._new_message(chat, self._user(chat_id, "Siti"), caption=caption, **{kind: self.MEDIA[kind]})
        return self._push("message", message)

    def user_message(self, chat_id: int, text: str, user_id: int | None = None,
                     first_name: str = "Siti", chat_type: str | None = "private",
                     reply_to_bot: bool = False, reply_to_message_id: int | None = None) -> int:
        """A text message from a person; returns the update_id. ``reply_to_message_id``: a reply to
        that message of this chat."""
        chat = self._chat(chat_id, chat_type, first_name)
        user_id = user_id or (chat_id if chat["type"] == "private" else GROUP_USER_ID)
        reply_to = None
        if reply_to_bot:  # the bot's latest message in this chat (made up if there is none)
            ours = [m for (cid, _), m in self.messages.items()
                    if cid == chat_id and m["from"] is BOT_USER]
            reply_to = ours[-1] if ours else self._bot_message(chat_id, text="…")
        if reply_to_message_id is not None:
            reply_to = self.messages[(chat_id, reply_to_message_id)]
        message = self._new_message(chat, self._user(user_id, first_name), text=text,
                                    entities=entities_for(text) or None,
                                    reply_to_message=reply_to)
        return self._push("message", message)

    def user_edit(self, chat_id: int, message_id: int, text: str) -> int:
        """The person edits their earlier message ``message_id`` to ``text`` (an ``edited_message``)."""
        message = dict(self.messages[(chat_id, message_id)], text=text, edit_date=int(time.time()))
        message["entities"] = entities_for(text) or None
        self.messages[(chat_id, message_id)] = message = {k: v for k, v in message.items() if v is not None}
        return self._push("edited_message", message)

    def group_message(self, chat_id: int, text: str, user_id: int | None = None,
                      first_name: str = "Siti", reply_to_bot: bool = False,
                      chat_type: str | None = None) -> int:
        """A message in a group: "supergroup" for -100… ids, else "group"; returns update_id."""
        return self.user_message(chat_id, text, user_id, first_name, chat_type, reply_to_bot)

    def callback(self, chat_id: int, message_id: int, data: str,
                 user_id: int | None = None, first_name: str = "Siti") -> int:
        """A button press on a bot message (made up if unknown); returns the update_id."""
        message = self.messages.setdefault((chat_id, message_id), {
            "message_id": message_id, "from": BOT_USER, "chat": self._chat(chat_id),
            "date": int(time.time()), "text": "…"})
        query_id = str(next(self._query_ids))
        self._queries[query_id] = chat_id
        user = self._user(user_id or (chat_id if chat_id > 0 else GROUP_USER_ID), first_name)
        return self._push("callback_query", {"id": query_id, "from": user, "message": message,
                                             "chat_instance": f"ci{chat_id}", "data": data})

    def inline_query(self, user_id: int, query: str) -> int:
        """An inline query (@stunting_test_bot …); returns the update_id."""
        query_id = str(next(self._query_ids))
        self._queries[query_id] = None
        return self._push("inline_query", {"id": query_id, "from": self._user(user_id),
                                           "query": query, "offset": "", "chat_type": "sender"})

    # ---------------------------------------------------------------- faults
    def fail_next(self, method: str, status: int, description: str | None = None,
                  retry_after: int | None = None, times: int = 1,
                  chat_id: int | None = None) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail with `status`.
        A 429 always carries parameters.retry_after (default 1), as Telegram's do."""
        if status == 429 and retry_after is None:
            retry_after = 1
        default = {429: f"Too Many Requests: retry after {retry_after}", 400: "Bad Request",
                   403: "Forbidden: bot was blocked by the user"}
        self._faults.append({
            "method": method, "status": status, "times": times, "chat_id": chat_id,
            "description": description or default.get(status, "Internal Server Error"),
            "parameters": {"retry_after": retry_after} if retry_after else None})

    def delay_next(self, method: str, seconds: float, chat_id: int | None = None) -> None:
        """The next call of ``method`` (to ``chat_id``, if given) is carried out at once but answered
        only after ``seconds``: the client may time out although the message was sent."""
        self._delays.append({"method": method, "seconds": seconds, "chat_id": chat_id})

    async def _delay(self, method: str, params: dict) -> None:
        for delay in self._delays:
            if delay["method"].lower() == method.lower() and delay["chat_id"] in (None, params.get("chat_id")):
                self._delays.remove(delay)
                await asyncio.sleep(delay["seconds"])
                return

    def block_chat(self, chat_id: int) -> None:
        """Every send to chat_id fails: 403 "Forbidden: bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def missing_chat(self, chat_id: int) -> None:
        """Every send to chat_id fails: 400 "Bad Request: chat not found"."""
        self._missing.add(chat_id)

    # ---------------------------------------------------------------- assertions
    def messages_to(self, chat_id: int) -> list[dict]:
        """The recorded `sent` entries for chat_id, in order."""
        return [record for record in self.sent if record["chat_id"] == chat_id]

    def stats(self) -> dict[str, int]:
        """How many requests each method got (failed ones included)."""
        return dict(Counter(call["method"] for call in self.calls))

    def dump(self) -> str:
        start = self.sent[0]["time"] if self.sent else 0
        return "\n".join(
            f"  +{r['time'] - start:6.2f}s {r['method']} chat={r['chat_id']} "
            f"text={str(r.get('text') or r.get('caption') or '')[:120]!r}" for r in self.sent
        ) or "  (nothing sent)"

    async def wait_for(self, predicate: Callable[[dict], Any], timeout: float = 5.0) -> dict:
        """Wait until a `sent` entry satisfies predicate and return it. A predicate raising
        TypeError/KeyError/AttributeError/IndexError (say, on text=None) means "no match"."""
        deadline = time.monotonic() + timeout
        while True:
            for record in self.sent:
                try:
                    if predicate(record):
                        return record
                except (TypeError, KeyError, AttributeError, IndexError):
                    pass
            if time.monotonic() >= deadline:
                raise AssertionError(f"nothing matching was sent within {timeout}s; "
                                     f"sent so far:\n{self.dump()}")
            await self._wait("sent", deadline - time.monotonic())


@pytest.fixture
async def fake_api():
    """A started FakeBotApi, stopped after the test."""
    async with FakeBotApi() as server:
        yield server
