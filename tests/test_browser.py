"""The course as a reader sees it: `ganlib course` (quick budgets) opened in headless Chromium.

`make test-installed` builds the course with the installed wheel, outside the repository, and
runs this test on it (GANLIB_COURSE_DIR names the folder); run alone, without that variable,
the test says so and skips.

Checks the index and every notebook page: every link between pages resolves, every image
loads (the Colab badge too, drawn locally for offline readers), the index lists every notebook,
and no page is wider than the window. Screenshots of the index and one notebook page are kept
in `build/screenshots/` for a maintainer to look at.

Needs Debian's `chromium` and `chromium-driver` (`make test` installs them when run as root) and
`selenium`. Without a browser the test fails; GANLIB_SKIP_BROWSER=1 skips it on purpose.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import REPOSITORY
from ganlib import course

SCREENSHOTS = REPOSITORY / "build" / "screenshots"
WIDTHS = (1280, 820)  # A laptop window, and a narrow one.


@pytest.fixture(scope="module")
def browser():
    if shutil.which("chromedriver") is None or shutil.which("chromium") is None:
        message = ("No chromium/chromedriver: `apt-get install chromium chromium-driver` (make "
                   "test does it as root), or GANLIB_SKIP_BROWSER=1 to skip this test.")
        if os.environ.get("GANLIB_SKIP_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", f"--window-size={WIDTHS[0]},900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def built_course():
    folder = os.environ.get("GANLIB_COURSE_DIR")
    if not folder:
        pytest.skip("run by `make test-installed`, which builds the course from the installed "
                    "wheel and names it in GANLIB_COURSE_DIR")
    out = Path(folder)
    assert (out / "index.html").exists(), f"no course in {out}"
    return out


def open_page(driver, path):
    """Load `path` and wait until that very document has finished loading: on a busy machine
    Chromium has answered a script from a blank, half-loaded page (0 images) once."""
    from selenium.webdriver.support.ui import WebDriverWait

    uri = path.as_uri()
    driver.get(uri)
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(
        "return document.URL === arguments[0] && document.readyState === 'complete' && "
        "Array.from(document.images).every(i => i.complete);", uri))


def page_facts(driver):
    return driver.execute_script("""
        const images = Array.from(document.images);
        return {
          broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80)),
          images: images.length,
          links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          title: document.title,
        };""")


def test_every_page_links_loads_its_figures_and_fits_the_window(browser, built_course):
    out = built_course
    notebooks = course.find_notebooks()
    pages = ["index.html"] + [f"{path.stem}.html" for path in notebooks]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for page in pages:
        for width in WIDTHS:
            browser.set_window_size(width, 900)
            open_page(browser, out / page)
            facts = page_facts(browser)
            assert facts["broken"] == [], (page, facts["broken"])
            assert facts["overflow"] <= 0, f"{page} is {facts['overflow']} px wider than {width} px"
            if width == WIDTHS[0] and page in ("index.html", pages[5]):
                browser.save_screenshot(str(SCREENSHOTS / page.replace(".html", ".png")))
        for link in facts["links"]:
            target = urlparse(link)
            if target.scheme in ("http", "https"):
                continue  # The internet: not reachable here, and not ours to check.
            if target.path:
                assert (out / target.path).exists(), f"{page} links to missing {link}"
        if page != "index.html":
            assert facts["images"] >= 2, f"{page} shows no figure"  # The badge and a figure.
    open_page(browser, out / "index.html")
    listed = browser.execute_script(
        "return Array.from(document.querySelectorAll('td a[href$=\".html\"]'))"
        ".map(a => a.getAttribute('href'));")
    assert listed == [f"{path.stem}.html" for path in notebooks]
    assert (SCREENSHOTS / "index.png").stat().st_size > 10_000
