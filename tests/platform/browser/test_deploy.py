"""Serving a class through nginx (deploy/): two replicas on loopback behind Debian's nginx, real browsers.

Each browser gets a route cookie from nginx and stays on one replica through clicks and a reload; stopping a
replica sends its students, after a reload, to the other one, where the page works with no traceback.
"""

from __future__ import annotations

import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.harness import VIEWPORT, axes_of, click_and_wait, wait_for_wall, wait_idle
from deploy.launch import NGINX, ClassServer
from latentwall import i18n
from tests.helpers import MNIST_FILE, page_errors

pytestmark = pytest.mark.browser
WALL = "wall-pick-ae"


@pytest.fixture(scope="module")
def class_server(smoke_models, chromium_path):
    if not Path(NGINX).is_file():
        pytest.skip("nginx is not installed (apt-get install nginx).")
    environment = {"LATENT_WALL_MODELS": str(smoke_models), "LATENT_WALL_MNIST": str(MNIST_FILE)}
    with ClassServer(replicas=2, environment=environment) as served:
        yield served


def routes(served: ClassServer) -> dict[str, set[str]]:
    """Which replicas answered each route cookie's requests (requests nginx had to retry are left out)."""
    seen = defaultdict(set)
    for entry in served.access_log():
        if "," not in entry.get("upstream", ",") and entry.get("route"):
            seen[entry["route"]].add(entry["upstream"])
    return seen


def test_a_class_behind_one_address_is_spread_over_the_replicas(class_server):
    """Forty first visits from one address (a school's NAT): nginx hands out route cookies that use both."""
    replicas = Counter()
    for _ in range(40):
        with urllib.request.urlopen(f"{class_server.url}/_stcore/health") as response:
            assert any("lw_route=" in cookie for cookie in response.headers.get_all("Set-Cookie"))
    for upstreams in routes(class_server).values():
        replicas.update(upstreams)
    assert set(replicas) == {f"127.0.0.1:{port}" for port in class_server.replica_ports}
    assert min(replicas.values()) >= 8, replicas


def click_middle(page, shift: float = 0.0) -> tuple[float, float] | None:
    """Click near the middle of the wall (shifted by a share of its width) and wait for the decoded picture."""
    x_min, x_max, y_min, y_max = axes_of(page, WALL)
    return click_and_wait(page, WALL, (x_min + x_max) / 2 + shift * (x_max - x_min), (y_min + y_max) / 2)[1]


def open_wall(page, url: str) -> None:
    page.goto(f"{url}/wall")
    wait_for_wall(page, WALL)
    wait_idle(page)
    page.wait_for_timeout(300)


def test_students_stay_on_their_replica_and_move_over_when_it_stops(browser, class_server):
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(8)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            open_wall(page, class_server.url)
            assert click_middle(page) is not None
        for page in pages:
            page.reload()
            open_wall(page, class_server.url)
            assert click_middle(page) is not None
        cookies = [next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "lw_route")
                   for context in contexts]
        seen = routes(class_server)
        assert all(len(seen[cookie]) == 1 for cookie in cookies), "each browser stayed on one replica"
        home = {cookie: next(iter(seen[cookie])) for cookie in cookies}
        # Stop the replica with the most students: they see a reconnect, and a reload brings them back.
        stopped = Counter(home.values()).most_common(1)[0][0]
        class_server.stop_replica(int(stopped.rsplit(":", 1)[1]))
        moved = [page for page, cookie in zip(pages, cookies, strict=False) if home[cookie] == stopped]
        stayed = [page for page, cookie in zip(pages, cookies, strict=False) if home[cookie] != stopped]
        for page in stayed:
            assert click_middle(page, 0.1) is not None, "the other replica's students are not disturbed"
        for page in moved:
            page.reload()
            open_wall(page, class_server.url)
            assert click_middle(page) is not None, "after a reload the page works on the other replica"
            assert not page_errors(page), page_errors(page)
    finally:
        for context in contexts:
            context.close()


def test_a_photo_of_a_digit_uploads_through_nginx(page, class_server, tmp_path):
    """A 100 KB+ upload is written to nginx's temporary folder on the way: it must land on the walls there too,
    also when nginx was started by root (its workers then run as another user)."""
    from bench.harness import UPLOAD_INPUT, open_pad, wait_for_landing
    from tests import bad_images

    photo = tmp_path / "seven-photo.png"
    seven = np.asarray(bad_images.drawn_seven(size=400), dtype=np.int16)
    grain = np.random.default_rng(7).integers(-12, 13, size=seven.shape)
    photo.write_bytes(bad_images.png(Image.fromarray(np.clip(seven + grain, 0, 255).astype(np.uint8)),
                                     compress_level=0))
    assert photo.stat().st_size > 100_000
    open_pad(page, class_server.url)
    page.locator(UPLOAD_INPUT).set_input_files(str(photo))
    wait_for_landing(page)
    page.get_by_text(i18n.load_strings("en")("digit.showing_upload")).wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "status code 500" not in page.content()
