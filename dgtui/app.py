"""The explorer app: ``make_app`` builds it for the CLI and for the tests alike.

The app owns what the screens share: the live index, read connections for worker threads, the
navigation history and the recent-changes highlights. A commit arrives as one ``DeltaCommitted``
message, which the app posts on to each live screen; what the status lines and highlights show
is held in the app's reactive attributes (``live_status``, ``totals``, ``visible_ms``,
``highlighted``, ``broken_callers``), which the widgets watch. It routes ``AtomChosen`` from any
screen to the explorer, and holds the global keys.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from types import SimpleNamespace
from typing import Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var

from . import query
from .commands import ActionCommands, AtomCommands
from .engine.writer import open_for_writing
from .messages import AtomChosen, DeltaCommitted, DeltaShown, LiveStatusChanged, TotalsLoaded
from .paths import RepoPaths
from .query.pool import StorePool
from .screens.navigation import NavHistory
from .screens.recent import RecentChanges
from .terminal_text import inert
from .widgets.pane_bar import PANES

#: While a first index runs it commits in chunks, so the panes fill as it goes: the first after
#: FIRST_COMMIT_FILES files (a search typed at once has answers about a second after the start),
#: each next one twice as large, up to FIRST_RUN_CHUNK files. Each commit re-resolves the calls
#: of the earlier ones that its names may change: indexing Django alone, chunks of 200 files all
#: along took 80 s, doubling ones 33 s (one transaction, as `dgtui index` writes it: 13 s).
FIRST_RUN_CHUNK = 1600
FIRST_COMMIT_FILES = 25
TICK_SECONDS = 0.5
QUIET_SOURCES = ("index", "reconcile")
# What the status line shows until the live index reports (it starts after the first frame).
STARTING = SimpleNamespace(state="starting", role="", progress=(0, 0), pending=0, errors=[],
                           last_latency_ms=None, last_transaction=0, summary=None)
TOTALS_EVERY = 0.5  # seconds between status-bar count refreshes while commits arrive
LIVE_SCREENS = ("explorer", "timeline", "chat", "review")  # the screens that follow commits


class DgtuiApp(App):
    """``dgtui`` in a repository."""

    CSS_PATH = "app.tcss"
    TITLE = "dgtui"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {AtomCommands, ActionCommands}

    #: What the live index is doing (a ``LiveStatus`` once it reports).
    live_status: var[Any] = var(STARTING)
    #: Files, atoms, edges... of the index, re-read after commits at most every TOTALS_EVERY.
    totals: var[dict[str, int]] = var(dict)
    #: The last save→visible latency: from the watcher seeing a change to a pane showing it.
    visible_ms: var[float | None] = var(None)
    #: Atom id -> operation, for the atoms lit up by recent commits.
    highlighted: var[dict[str, str]] = var(dict)
    #: Deleted atom id -> the atoms that called it and now call nothing.
    broken_callers: var[dict[str, list[str]]] = var(dict)
    #: Pinned atom id -> the last transaction that touched it or its neighbours (screens/pin_watch.py).
    watched: var[dict[str, dict]] = var(dict)

    # The keys that move the focus or open a dialog are priority bindings: Textual runs an
    # ordinary binding only once its key has bubbled back up to the app, so the keys typed right
    # after `e` or `/` went to the pane that had the focus and were lost. A priority binding acts
    # when the app reads the key; ``check_action`` hands the key on to a text box that types it.
    BINDINGS = [
        Binding("q", "key('q', 'quit')", "Quit", priority=True),
        Binding("question_mark", "key('?', 'help')", "Help", priority=True),
        Binding("slash", "key('/', 'focus_search')", "Search", priority=True),
        Binding("colon", "key(':', 'goto')", "Go to id", priority=True),
        Binding("o", "open_editor", "Editor"),
        Binding("e", "key('e', 'export')", "Export", priority=True),
        Binding("W", "key('W', 'watched')", "Watched atoms", show=False, priority=True),
        Binding("left_square_bracket", "back", "Back", show=False),
        Binding("backspace", "back", "Back", show=False),
        Binding("right_square_bracket", "forward", "Forward", show=False),
        *(Binding(str(n), f"key('{n}', 'pane({n})')", f"{title} pane", show=False, priority=True)
          for n, title in PANES),
    ]

    def __init__(self, root: str, home: str | None = None, *, watch: bool = True,
                 chunk_files: int | None = FIRST_RUN_CHUNK,
                 first_chunk: int | None = FIRST_COMMIT_FILES, force_polling: bool = False,
                 chat_user: str | None = None, scope: str | None = None) -> None:
        super().__init__()
        start_resource_tracker()
        self.root = root
        self.scope = scope  # a file glob: the search's default when started in a subfolder
        self.paths = RepoPaths.for_root(root, home)
        self.stores = StorePool(self.paths.index_db)
        self.history = NavHistory()
        self.recent = RecentChanges()
        self.chat_user = chat_user
        self._live_options: dict[str, Any] = {"watch": watch, "chunk_files": chunk_files,
                                              "first_chunk": first_chunk,
                                              "force_polling": force_polling}
        self.live: Any = None  # the LiveIndex, started once the first screen is drawn
        self._live_lock = threading.Lock()
        self._live_closed = False
        self._detected: dict[int, float] = {}  # transaction -> when its change was seen
        self._totals_due = 0.0
        self._totals_dirty = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key bound to ``key(...)`` is typed, not run, where a text box takes it; dialogs
        keep their own keys (``q`` closes the help)."""
        if action != "key" or not parameters:
            return True
        from textual.screen import ModalScreen

        if isinstance(self.screen, ModalScreen):
            return False
        char = str(parameters[0])
        focused = self.screen.focused
        key = {"?": "question_mark", "/": "slash", ":": "colon"}.get(char, char)
        return not (focused is not None and focused.check_consume_key(key, char))

    async def action_key(self, char: str, action: str) -> None:
        """A key of the explorer (``char``) that the focused widget does not type: ``action``."""
        await self.run_action(action)

    # -- start and stop -----------------------------------------------------------------------
    def on_mount(self) -> None:
        # Create (or migrate) the index file here, before the live thread and the readers race.
        first_run = not os.path.exists(self.paths.index_db)
        open_for_writing(self.paths.index_db).close()
        if first_run:  # nothing to search until it has parsed: start it before the screens
            self._start_live()
        from .screens.explorer import ExplorerScreen
        from .screens.review import ReviewScreen
        from .screens.timeline import TimelineScreen

        self.install_screen(ExplorerScreen(), "explorer")
        self.install_screen(TimelineScreen(), "timeline")
        self._install_chat()
        self.install_screen(ReviewScreen(), "review")
        self.push_screen("explorer")
        self.set_interval(TICK_SECONDS, self._tick)
        self._load_totals()
        if not first_run:
            self.call_after_refresh(self._start_live)

    def _start_live(self) -> None:
        """In a thread, after the first frame: the engine, the parsers and the watcher (a third
        of the start-up imports) load while the explorer is already on screen and searchable,
        and the first keystrokes do not wait for those imports. On a first run (no index yet)
        it starts before the screens are built: there is nothing to search until its first
        chunk is committed (``Indexer.first_chunk``)."""
        self._live_starter()

    @work(thread=True, group="live-start")
    def _live_starter(self) -> None:
        from .engine.live import LiveIndex

        live = LiveIndex(self.root, self.paths.home, **self._live_options)
        live.subscribe(self._live_delta)
        live.on_status(self._live_status)
        with self._live_lock:
            if self._live_closed:  # the app quit before the live index came up
                return
            self.live = live
            live.start()

    def _install_chat(self) -> None:
        from .screens.chat import ChatScreen

        self.install_screen(ChatScreen(), "chat")

    def on_unmount(self) -> None:
        with self._live_lock:
            self._live_closed = True
            live = self.live
        if live is not None:
            live.stop()
        self.stores.close()

    # -- the live index (callbacks run in its thread) ------------------------------------------
    def _live_delta(self, delta) -> None:
        self.post_message(DeltaCommitted(delta))

    def _live_status(self, status) -> None:
        self.post_message(LiveStatusChanged(status))

    @on(DeltaCommitted)
    def _delta_committed(self, message: DeltaCommitted) -> None:
        """Note what to light up, then hand the commit on to every live screen."""
        delta = message.delta
        if delta.detected_at is not None:
            self._detected[delta.transaction_id] = delta.detected_at
        if delta.source not in QUIET_SOURCES:  # a whole index at once: refresh, do not light up
            self.recent.add(delta, time.time())
            self.broken_callers = {k: list(v) for k, v in self.recent.broken.items()}
        self._totals_dirty = True
        if not self.totals.get("atoms"):  # a first run's first chunk: the counts at once
            self._load_totals()
        self._restyle()
        for name in LIVE_SCREENS:
            screen = self.get_screen(name)
            if screen.is_mounted:  # one not shown yet reads everything when it mounts
                screen.post_message(DeltaCommitted(delta))

    @on(LiveStatusChanged)
    def _status_changed(self, message: LiveStatusChanged) -> None:
        previous = self.live_status.state
        self.live_status = message.status
        if previous != message.status.state:
            self._totals_dirty = True
            self._totals_due = 0.0
            if message.status.state in ("watching", "reading", "indexed"):
                freeze_heap()

    @on(DeltaShown)
    def _delta_shown(self, message: DeltaShown) -> None:
        """A pane shows what a transaction changed: the save→visible latency."""
        transaction_id = message.transaction_id
        detected = self._detected.pop(transaction_id, None)
        for tx in [t for t in self._detected if t < transaction_id]:
            del self._detected[tx]
        if detected is not None:
            self.visible_ms = (time.time() - detected) * 1000.0

    # -- periodic work ------------------------------------------------------------------------
    def _tick(self) -> None:
        now = time.time()
        if self.recent.expire(now) or self.highlighted:
            self._restyle()
        if self._totals_dirty and now >= self._totals_due:
            self._load_totals()

    def lit(self) -> dict[str, str]:
        """Atom id -> operation, for the atoms still highlighted now."""
        now = time.time()
        return {k: op for k, (until, op) in self.recent.touched.items() if until >= now}

    def _restyle(self) -> None:
        self.highlighted = self.lit()  # the watchers run only when it differs

    def _load_totals(self) -> None:
        self._totals_dirty = False
        self._totals_due = time.time() + TOTALS_EVERY
        self._totals_worker()

    @work(thread=True, exclusive=True, group="totals", exit_on_error=False)
    def _totals_worker(self) -> None:
        try:
            self.post_message(TotalsLoaded(self.stores.ask(query.totals)))
        except Exception:  # the index is being created; the next commit asks again
            self._totals_dirty = True

    @on(TotalsLoaded)
    def _totals_loaded(self, message: TotalsLoaded) -> None:
        self.totals = message.totals

    # -- navigation ---------------------------------------------------------------------------
    @property
    def explorer(self):
        return self.get_screen("explorer")

    @on(AtomChosen)
    def _atom_chosen(self, message: AtomChosen) -> None:
        self.open_atom(message.atom_id, preview=message.preview, focus=message.focus)

    def open_atom(self, atom_id: str, preview: bool = False, focus: str | None = None,
                  change: dict | None = None) -> None:
        """Show an atom in the explorer (switching to it) and record it in the history;
        ``change`` is an event whose diff the atom pane shows with it."""
        self.history.visit(atom_id, preview=preview)
        if self.screen is not self.explorer and not preview:
            self.switch_screen("explorer")
        self.explorer.show_atom(atom_id, preview=preview, focus=focus, change=change)

    def action_back(self) -> None:
        atom_id = self.history.back()
        if atom_id is None:
            self.notify("Nothing before this in the history.", timeout=2)
            return
        self._show_history(atom_id)

    def action_forward(self) -> None:
        atom_id = self.history.forward()
        if atom_id is None:
            self.notify("Nothing after this in the history.", timeout=2)
            return
        self._show_history(atom_id)

    def action_history_go(self, index: int) -> None:
        atom_id = self.history.go(index)
        if atom_id is not None:
            self._show_history(atom_id)

    def _show_history(self, atom_id: str) -> None:
        if self.screen is not self.explorer:
            self.switch_screen("explorer")
        self.explorer.show_atom(atom_id)

    async def action_pane(self, number: int) -> None:
        name = "explorer" if number <= 4 else {5: "timeline", 6: "chat"}.get(number, "review")
        screen = self.get_screen(name)
        if self.screen is not screen:
            await self.switch_screen(name)
        if number <= 4:
            screen.focus_pane(number)
        else:
            screen.focus_main()

    async def action_focus_search(self) -> None:
        await self.action_pane(1)

    def action_focus_results(self) -> None:
        """Leave the search box for the results; with none, for nothing (so that the number
        keys and the other single-letter keys work)."""
        table = self.explorer.search.table
        if table.row_count:
            table.focus()
        else:
            self.screen.set_focus(None)

    # -- dialogs ------------------------------------------------------------------------------
    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_watched(self) -> None:
        from .screens.watched import WatchedDialog

        self.push_screen(WatchedDialog())

    def action_goto(self) -> None:
        from .screens.goto import GotoDialog

        self.push_screen(GotoDialog())

    async def action_export(self) -> None:
        from .screens.export import ExportDialog

        pane = self._focused_pane()
        data = pane.export_data() if pane is not None else None
        if data is None:
            self.notify("Nothing to export here: focus a pane that shows rows (1-5, 7).",
                        severity="warning")
            return
        # Awaited: the keys typed right after `e` reach the dialog's file box, not the pane.
        await self.push_screen(ExportDialog(data, os.path.basename(self.root), self.root,
                                            self.graph_version, home=self.paths.home))

    def graph_version(self) -> int:
        """The last committed transaction of the index (what an export's rows reflect)."""
        return self.stores.ask(query.version)

    def _focused_pane(self):
        from .widgets.pane import Pane

        focused = self.screen.focused
        if focused is None:
            return None
        for node in focused.ancestors_with_self:
            if isinstance(node, Pane):
                return node
        return None

    def action_open_editor(self) -> None:
        from .editor import NoEditor, editor_command
        from .screens.live_screen import LiveScreen

        screen = self.screen
        target = screen.editor_target() if isinstance(screen, LiveScreen) else None
        if target is None:
            self.notify("No atom to open: choose one first.", severity="warning")
            return
        path, line = target
        try:
            argv = editor_command(os.path.join(self.root, path), line)
        except NoEditor as exc:
            self.notify(inert(str(exc)), severity="warning", timeout=6, markup=False)
            return
        self.run_editor(argv)

    def run_editor(self, argv: list[str]) -> None:
        import subprocess

        try:
            if self.is_headless:  # no terminal to hand over (tests, benchmarks)
                subprocess.run(argv, check=False)
            else:
                with self.suspend():
                    subprocess.run(argv, check=False)
        except OSError as exc:
            self.notify(inert(f"could not run {argv[0]}: {exc.strerror or exc}"), severity="error",
                        markup=False)

    def action_show_errors(self) -> None:
        from .screens.text_dialog import TextDialog

        errors = self.live_status.errors
        self.push_screen(TextDialog("Live index errors",
                                    errors or ["No errors since dgtui started."]))

    def action_show_parse_errors(self) -> None:
        self._parse_errors_worker()

    @work(thread=True, exit_on_error=False)
    def _parse_errors_worker(self) -> None:
        from .screens.text_dialog import TextDialog

        lines = []
        for row in self.stores.ask(query.files_with_errors):
            lines.append(f"{row.path}: {row.error_count} error(s)")
            lines += [f"    {e}" for e in row.errors]
        lines = lines or ["No file has parse errors."]
        self.call_from_thread(self.push_screen, TextDialog("Files with parse errors", lines))


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now, while ``sys.stderr`` is the real one.

    The live index parses many files (a first index, a large reconcile) in a spawn pool, and the
    pool starts the tracker on first use, handing it ``sys.stderr.fileno()``; inside a running
    Textual app stderr is a capture whose fileno is -1, and the pool fails ("bad value(s) in
    fds_to_keep")."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def freeze_heap() -> None:
    """Move what exists now (the app's widgets, the live engine's symbol table: a few hundred
    thousand objects on a large repository) out of the garbage collector's sight. Otherwise
    each full collection walks them all, a 100-300 ms pause in the middle of typing."""
    gc.freeze()


def make_app(root: str, home: str | None = None, **options: Any) -> DgtuiApp:
    """The one way to build the explorer (the CLI and the tests use it)."""
    return DgtuiApp(root, home, **options)
