"""A lightweight student: speaks Streamlit's websocket protocol the way a browser tab does, without a browser.

One `Student` is one browser session: it opens a page, reads what the server draws (elements, fragment ids,
the click listener's widget id), clicks the wall by sending the same trigger value the page's JavaScript
sends, and can send any forged widget value a hostile client could. The protobufs ship inside the
streamlit package; the websocket client is `websockets`, which Streamlit itself depends on.

The classroom benchmark runs dozens of these in one asyncio loop; the tests use them to forge messages.
"""

from __future__ import annotations

import asyncio
import html.parser
import json
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# How long one script run may take before a student gives up on it.
RUN_TIMEOUT_S = 60.0


class _VerdictParser(html.parser.HTMLParser):
    """Pulls the data-lw hooks out of the decoded panel's HTML."""

    def __init__(self):
        super().__init__()
        self.hooks: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self.hooks is None and values.get("data-lw") == "verdict":
            self.hooks = {name.removeprefix("data-lw-"): value for name, value in values.items()
                          if name.startswith("data-lw-")}


def verdict_of(body: str) -> dict[str, str] | None:
    """The data-lw-* attributes of the verdict element in an HTML body, or None if it has none."""
    parser = _VerdictParser()
    parser.feed(body)
    return parser.hooks


@dataclass
class Run:
    """What one script run sent back: its elements, and how it ended."""

    elements: list = field(default_factory=list)
    fragment_ids: set[str] = field(default_factory=set)
    status: str | None = None
    seconds: float = 0.0
    first_verdict_s: float | None = None
    recovered: bool = False  # The page had the browser run it again after a value it could not use.

    @property
    def errors(self) -> list[str]:
        """What the user would see as an error: exception boxes, and error alerts."""
        found = [f"{element.exception.type}: {element.exception.message}" for element in self.elements
                 if element.WhichOneof("type") == "exception"]
        found += [element.alert.body for element in self.elements
                  if element.WhichOneof("type") == "alert" and element.alert.format == 1]  # 1 = ERROR
        return found

    def of_type(self, kind: str) -> list:
        return [element for element in self.elements if element.WhichOneof("type") == kind]

    @property
    def verdict(self) -> dict[str, str] | None:
        for element in reversed(self.of_type("html")):
            hooks = verdict_of(element.html.body)
            if hooks is not None:
                return hooks
        return None

    def text(self) -> str:
        """Every word the run drew as text: markdown and captions, headings, alerts, HTML bodies, plain text,
        code blocks, JSON and metrics, joined."""
        parts = [element.markdown.body for element in self.of_type("markdown")]
        parts += [element.heading.body for element in self.of_type("heading")]
        parts += [element.alert.body for element in self.of_type("alert")]
        parts += [element.html.body for element in self.of_type("html")]
        parts += [element.text.body for element in self.of_type("text")]
        parts += [element.code.code_text for element in self.of_type("code")]
        parts += [element.json.body for element in self.of_type("json")]
        parts += [f"{element.metric.label} {element.metric.body}" for element in self.of_type("metric")]
        return "\n".join(parts)


class Student:
    """One browser session against a Streamlit server at base_url (http://host:port)."""

    def __init__(self, base_url: str, cookie: str | None = None):
        self.base_url = base_url.rstrip("/")
        # What the browser would send with every request, e.g. nginx's route cookie (deploy/): it keeps the
        # websocket and the media files on the replica that holds this session.
        self.cookie = cookie
        self.socket = None
        self.page_hash = ""
        self.page_name = ""
        self.widget_ids: dict[str, str] = {}  # a widget's key in the app -> its widget id
        self.fragments_of: dict[str, str] = {}  # a widget's key in the app -> the fragment it lives in ("" if none)
        self.listeners: dict[str, str] = {}  # container key of a wall -> its trigger widget id
        self.listener_fragments: dict[str, str] = {}  # trigger widget id -> the fragment it lives in
        self.triggers: dict[str, str] = {}  # a component's key in the app -> its trigger widget id
        self.cached: dict[str, ForwardMsg] = {}  # Messages the server may later send by reference only, by hash.
        self.bytes_received = 0
        self.closed_by_server: int | None = None

    async def connect(self) -> None:
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.socket = await websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                               additional_headers=headers, open_timeout=RUN_TIMEOUT_S,
                                               ping_interval=None)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
            self.socket = None

    async def open_page(self, page_name: str, query: str = "") -> Run:
        """Load a page by its url path (e.g. "wall"), as on a first visit or a click in the page list."""
        if self.socket is None:
            await self.connect()
        self.page_name, self.page_hash = page_name, ""
        return await self.rerun(query=query)

    async def rerun(self, states: list[WidgetState] | None = None, fragment_id: str = "", query: str = "",
                    raw: bytes | None = None) -> Run:
        """Send one rerun request (or raw bytes) and read until that run finishes."""
        message = BackMsg()
        client = message.rerun_script
        client.query_string = query
        client.page_script_hash = self.page_hash
        client.page_name = "" if self.page_hash else self.page_name
        client.fragment_id = fragment_id
        client.widget_states.widgets.extend(states or [])  # Like a page that kept no other widget's value.
        client.cached_message_hashes.extend(sorted(self.cached))
        client.context_info.url = f"{self.base_url}/{self.page_name}"
        client.context_info.locale = "en-US"
        client.context_info.timezone = "UTC"
        started = time.perf_counter()
        await self.socket.send(raw if raw is not None else message.SerializeToString())
        run = await self._read_run(started)
        recovery = self._recovery_trigger(run)
        if recovery is not None:  # The page asked the browser for a fresh run, as the real page's script does.
            trigger, fragment = recovery
            payload = json.dumps([{"event": "recover", "value": 1}])
            states = [WidgetState(id=trigger, json_trigger_value=payload)]
            follow = await self.rerun(states, fragment_id=fragment)
            run = Run(elements=run.elements + follow.elements, fragment_ids=run.fragment_ids | follow.fragment_ids,
                      status=follow.status, seconds=time.perf_counter() - started,
                      first_verdict_s=run.first_verdict_s or follow.first_verdict_s, recovered=True)
        return run

    def _recovery_trigger(self, run: Run) -> tuple[str, str] | None:
        """The trigger id and fragment of a recovery component the run drew, if it drew one."""
        for element in run.elements:
            if element.WhichOneof("type") == "bidi_component" and element.bidi_component.component_name.endswith(
                    "recover"):
                trigger = f"$$STREAMLIT_INTERNAL_KEY_{element.bidi_component.id}__events"
                return trigger, self.listener_fragments.get(trigger, "")
        return None

    async def click(self, key: str, x: float, y: float, index: int | None = None) -> Run:
        """Click the wall shown under container key at data (x, y), as the page's click listener reports it."""
        trigger = self.listeners[key]
        value = [{"event": "click", "value": {"x": x, "y": y, "index": index, "at": int(time.time() * 1000)}}]
        return await self.send_trigger(trigger, json.dumps(value))

    async def send_event(self, key: str, event: str, value) -> Run:
        """Send one event of the component shown under key, as its page sends it (e.g. the pad's drawing)."""
        return await self.send_trigger(self.triggers[key], json.dumps([{"event": event, "value": value}]))

    async def send_widget(self, key: str, fragment_id: str = "", **value) -> Run:
        """Send one widget's value as a browser would, e.g. send_widget("model", string_value="vae")."""
        return await self.rerun([WidgetState(id=self.widget_ids.get(key, key), **value)], fragment_id=fragment_id)

    async def send_trigger(self, trigger_id: str, payload: str) -> Run:
        """Send a listener's trigger value as JSON text, within the fragment the listener lives in."""
        return await self.rerun([WidgetState(id=trigger_id, json_trigger_value=payload)],
                                fragment_id=self.listener_fragments.get(trigger_id, ""))

    async def _read_run(self, started: float) -> Run:
        run = Run()
        deadline = started + RUN_TIMEOUT_S
        while True:
            try:
                data = await asyncio.wait_for(self.socket.recv(), timeout=max(deadline - time.perf_counter(), 0.01))
            except websockets.ConnectionClosed as closed:
                self.closed_by_server = closed.rcvd.code if closed.rcvd else -1
                run.status = "connection closed"
                break
            self.bytes_received += len(data)
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "ref_hash" and message.ref_hash in self.cached:  # An element the page has seen: its hash.
                reference, message = message, ForwardMsg()
                message.CopyFrom(self.cached[reference.ref_hash])
                message.metadata.CopyFrom(reference.metadata)
                kind = message.WhichOneof("type")
            elif message.metadata.cacheable and message.hash:
                self.cached[message.hash] = message
            if kind == "navigation":  # The page the run landed on; later reruns name it by its hash.
                self.page_hash = message.navigation.page_script_hash
            elif kind == "delta":
                self._take_delta(message, run, started)
            elif kind == "script_finished":
                run.status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                if run.status != "FINISHED_EARLY_FOR_RERUN":  # A rerun the app asked for goes on: keep reading.
                    break
        run.seconds = time.perf_counter() - started
        return run

    def _take_delta(self, message: ForwardMsg, run: Run, started: float) -> None:
        delta = message.delta
        if delta.fragment_id:
            run.fragment_ids.add(delta.fragment_id)
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        run.elements.append(element)
        kind = element.WhichOneof("type")
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            key = widget_id.split("-", 2)[2]
            self.widget_ids[key] = widget_id
            self.fragments_of[key] = delta.fragment_id
        if kind == "bidi_component":
            base = element.bidi_component.id
            trigger = f"$$STREAMLIT_INTERNAL_KEY_{base}__events"
            scope = json.loads(element.bidi_component.json or "{}").get("scope")
            if scope:
                self.listeners[scope.removeprefix("st-key-").removesuffix("-area")] = trigger
            if base.startswith("$$ID-"):
                self.triggers[base.split("-", 2)[2]] = trigger
            self.listener_fragments[trigger] = delta.fragment_id
        elif kind == "html" and run.first_verdict_s is None and verdict_of(element.html.body) is not None:
            run.first_verdict_s = time.perf_counter() - started
