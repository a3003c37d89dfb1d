"""The reset guard: a forged value resets the session instead of breaking it, and the run under test can see it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

import streamlit as st

from webapp.components import component
from webapp.session import text

_LOGGER = logging.getLogger(__name__)

# What Streamlit's widgets and our readers raise when a browser sends a value no real page can send.
FORGED_VALUE_ERRORS = (KeyError, TypeError, ValueError, OverflowError, RecursionError)


# Resets in a row (cleared by a run that succeeds), and a note for the run that follows one.
RESET_KEY = "session-resets"
NOTICE_KEY = "session-reset-notice"
MAX_RESETS = 3
# The last error the guard caught, as "Type: message" (kept across the reset): the run under test can see that a
# page handled a value by crashing (tests/helpers.assert_clean fails on it), where the student only sees a note.
CAUGHT_KEY = "session-caught-error"
CAUGHT_CHARS = 300


# A script-only component that asks the browser for one fresh run (see guarded).
_recover = component("recover", ("recover.js",))


def guarded(body: Callable) -> Callable:
    """Run a page or fragment body so that a forged value resets this session instead of breaking it.

    A client can send any widget value (an integer for a radio, NaN for a number, a widget id equal to one
    of the app's own session keys). Streamlit then raises inside the widget call. The guard clears the
    session's state and lets the failed run end normally, which is when Streamlit drops widget values that no
    widget claimed (a forged id cannot even be deleted by name). A small component then has the browser run
    the page again with its real values, so the whole page and its fragments come back; the student sees a
    short note. After MAX_RESETS failures in a row it only says to reload. Tracebacks go to the server log.
    """
    @wraps(body)
    def run(*args, **kwargs):
        resets = st.session_state.get(RESET_KEY, 0)
        resets = resets if type(resets) is int else 0
        if st.session_state.get(NOTICE_KEY) is True:
            del st.session_state[NOTICE_KEY]
            st.warning(text("shared.bad_input"), icon=":material/restart_alt:")
        try:
            result = body(*args, **kwargs)
        except FORGED_VALUE_ERRORS as error:
            _LOGGER.warning("A run failed on a value the browser sent; the session's state was reset.", exc_info=True)
            st.session_state.clear()
            st.session_state[RESET_KEY] = resets + 1
            st.session_state[CAUGHT_KEY] = f"{type(error).__name__}: {error}"[:CAUGHT_CHARS]
            if resets >= MAX_RESETS:
                st.warning(text("shared.bad_input"), icon=":material/restart_alt:")
                return None
            st.session_state[NOTICE_KEY] = True
            _recover(key=f"recover-{resets}", data={"attempt": resets + 1}, on_recover_change=_nothing)
            return None
        if resets and RESET_KEY in st.session_state:
            del st.session_state[RESET_KEY]
        return result

    return run


def _nothing() -> None:
    """The recovery trigger needs no work of its own: the rerun it causes is the point."""
