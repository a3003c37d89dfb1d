"""The home page headless through AppTest, and the server configuration the app runs under."""

from __future__ import annotations

from latentwall import config
from tests.helpers import assert_clean, markdown_text


def test_home_page_tells_the_story_and_links_the_pages(app):
    test = app()
    assert_clean(test)
    text = markdown_text(test)
    assert "N.Coder" in text
    assert "D.Coder" in text
    assert "latent space" in text
    assert len(test.get("page_link")) == 9  # every page but home
    assert len(test.sidebar.radio) == 0, "the AE/VAE switch is only on pages that show one model at a time"


def test_the_effective_server_config_is_locked_down(monkeypatch):
    from streamlit import config as streamlit_config

    monkeypatch.chdir(config.PROJECT_ROOT)
    try:
        streamlit_config.get_config_options(force_reparse=True)
        assert streamlit_config.get_option("server.enableXsrfProtection") is True
        assert streamlit_config.get_option("server.enableCORS") is True
        assert streamlit_config.get_option("server.enableStaticServing") is False
        assert streamlit_config.get_option("server.maxUploadSize") <= 1
        assert str(streamlit_config.get_option("client.showErrorDetails")).lower() in {"none", "false"}
        assert streamlit_config.get_option("client.toolbarMode") == "viewer"
    finally:
        monkeypatch.undo()
        streamlit_config.get_config_options(force_reparse=True)
