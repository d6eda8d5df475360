"""Two whole application machines on loopback acting as one site: each its own `samizdat
serve` (granian and the task worker), var folder, page files and nginx (the documented
configuration, its `/media/` block deleted as docs/deployment.md says for a bucket), both on
one PostgreSQL (a private cluster), one Redis and one S3 bucket (moto's server)."""

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from samizdat.bake.tasks import HOLDER_KEY
from tests.conftest import need
from tests.deploy.test_serving import fetch, nginx_conf, running_nginx
from tests.net import REDIS, free_port, redis_up

# It brings its own PostgreSQL, Redis prefix and bucket, so it runs once, in the SQLite run.
pytestmark = [pytest.mark.serving, pytest.mark.engine("sqlite")]

ROOT = Path(__file__).resolve().parents[2]
SAMIZDAT = [sys.executable, "-m", "samizdat"]
# A Redis database of this test's own (CACHE_URL takes no key prefix), emptied before and
# after: the two machines' pages, versions and announcements are all there is in it.
REDIS_DB = 11
BUCKET = "samizdat-two-machines"
# "Within seconds": both machines must show a change made on either well before this.
DEADLINE = 20.0
# The measured delays, printed at the end of the module (pytest -s) for docs/deployment.md.
DELAYS: dict[str, float] = {}

# Run by `samizdat shell -c` before every snippet: the editor and the English edition.
PRELUDE = """
import json, time, datetime
from django.contrib.auth import get_user_model
from django.utils import timezone
from samizdat.newsroom import services
from samizdat.newsroom.models import Article, Author, Edition, Section
editor = get_user_model().objects.get(username="editor")
english = Edition.objects.get(language="en")

def write(headline, slug):
    return services.create_article(
        editor, edition=english, section=Section.objects.filter(edition=english).first(),
        author_ids=[Author.objects.order_by("pk").first().pk], headline=headline, slug=slug,
        lead="A lead.", body="<p>A body.</p>")
"""


class Machine:
    """One application machine: its environment, its server and its nginx."""

    def __init__(self, name: str, root: Path, shared: dict):
        self.name = name
        self.var = root / name / "var"
        self.www = self.var / "www"
        self.pages = self.www / "pages"
        self.env = {**shared, "SAMIZDAT_VAR_DIR": str(self.var),
                    "SAMIZDAT_PAGE_FILES_DIR": str(self.pages)}
        self.port = free_port()
        self.app = f"http://127.0.0.1:{self.port}"
        self.front = ""  # nginx's address, once it runs
        self.server: subprocess.Popen | None = None

    def shell(self, code: str, prelude: str = PRELUDE) -> dict:
        """`code` run by `samizdat shell` on this machine; the JSON its last line printed."""
        done = subprocess.run([*SAMIZDAT, "shell", "-c", prelude + code], env=self.env,
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        self.server = subprocess.Popen(
            [*SAMIZDAT, "serve", "--port", str(self.port), "--workers", "1"], env=self.env,
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def stop(self) -> None:
        if self.server is None:
            return
        os.killpg(self.server.pid, signal.SIGTERM)
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait(timeout=10)

    def get(self, path: str) -> tuple[int, str]:
        """A reader's request through this machine's nginx."""
        status, _headers, body = fetch(self.front + path)
        return status, body.decode(errors="replace")

    def page_file(self, path: str) -> Path:
        return self.pages / "current" / path.strip("/") / "index.html"


def wait_until(what: str, condition, since: float | None = None) -> float:
    """Poll `condition` until it holds (at most DEADLINE seconds); the seconds since `since`
    (a wall-clock time) when it first held."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"not within {DEADLINE:.0f} s: {what}"
        time.sleep(0.1)
    return time.time() - since if since is not None else 0.0


def without_media_block(conf: Path) -> None:
    """Delete the nginx `/media/` block, as docs/deployment.md says to with a bucket."""
    site = conf.parent / "site.conf"
    text, count = re.subn(r"\n    location /media/ \{.*?\n    \}\n", "\n", site.read_text(),
                          flags=re.DOTALL)
    assert count == 1, "docs/nginx/samizdat.conf no longer has one /media/ block"
    site.write_text(text)


@pytest.fixture(scope="module")
def bucket():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106
    s3.create_bucket(Bucket=BUCKET)
    yield endpoint, s3
    server.stop()


@pytest.fixture(scope="module")
def database():
    from tests.pgcluster import Cluster, available

    need(available(), "PostgreSQL's server binaries (apt-get install postgresql)")
    cluster = Cluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def machines(tmp_path_factory, database, bucket):
    """Machines A and B, serving, each behind its own nginx."""
    from tests.deploy.test_serving import NGINX

    need(redis_up(), "Redis on 127.0.0.1:6379 (apt-get install redis-server)")
    need(Path(NGINX).exists(), "Debian's nginx (apt-get install nginx-light)")
    import redis

    endpoint, _s3 = bucket
    root = tmp_path_factory.mktemp("machines")
    shared = {k: v for k, v in os.environ.items()
              if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_",
                                   "PROMETHEUS_", "AWS_"))}
    shared.update({
        "PYTHONPATH": str(ROOT), "DATABASE_URL": database.url,
        "CACHE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
        "SAMIZDAT_S3_BUCKET": BUCKET, "SAMIZDAT_S3_ENDPOINT_URL": endpoint,
        "SAMIZDAT_S3_REGION": "us-east-1", "SAMIZDAT_S3_ACCESS_KEY": "test",
        "SAMIZDAT_S3_SECRET_KEY": "test",
        "SAMIZDAT_PRODUCTION": "1", "SAMIZDAT_SSL_REDIRECT": "0",
        "SAMIZDAT_SECRET_KEY": "two-machines-" + "q8Vw3Rt6" * 6,
        "SAMIZDAT_ALLOWED_HOSTS": "127.0.0.1,localhost", "SAMIZDAT_PROXY_COUNT": "1",
        "SAMIZDAT_LOG_LEVEL": "ERROR", "SAMIZDAT_HEALTH_MIN_FREE_MB": "1",
        # Both workers sweep for due articles every second: the race a schedule must survive.
        "SAMIZDAT_TASK_SWEEP_SECONDS": "1", "SAMIZDAT_TASK_HEARTBEAT_SECONDS": "1",
        "SAMIZDAT_TASK_LEASE_SECONDS": "30",
    })
    a, b = Machine("a", root, shared), Machine("b", root, shared)
    subprocess.run([*SAMIZDAT, "migrate", "-v0"], env=a.env, cwd=ROOT, check=True,
                   timeout=300)
    a.shell("from samizdat.newsroom import demo\nimport random\n"
            "demo.create_scaffolding(random.Random(1))\n"
            "demo.create_staff('correct horse battery staple')\nprint('{}')", prelude="")
    client = redis.Redis(*REDIS, db=REDIS_DB)
    client.flushdb()  # what a run that was killed left
    fronts = []
    try:
        for machine in (a, b):  # both start at once: collectstatic and granian in parallel
            machine.start()
        for machine in (a, b):
            deadline = time.monotonic() + 120
            while fetch_or_none(machine.app + "/robots.txt") != 200:
                assert machine.server.poll() is None, f"{machine.name}'s server exited"
                assert time.monotonic() < deadline, f"{machine.name} did not start"
                time.sleep(0.2)
        for machine in (a, b):
            tmp = root / machine.name / "nginx"
            tmp.mkdir()
            ports = {name: free_port() for name in ("http", "tls", "onion", "admin")}
            conf = nginx_conf(tmp, machine.app, machine.var, machine.www, ports)
            without_media_block(conf)
            machine.front = f"http://127.0.0.1:{ports['http']}"
            fronts.append(running_nginx(tmp, conf, machine.front + "/robots.txt"))
            fronts[-1].__enter__()
        a.redis = b.redis = client
        yield a, b
    finally:
        for front in reversed(fronts):
            front.__exit__(None, None, None)
        stoppers = [threading.Thread(target=m.stop) for m in (a, b)]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        client.flushdb()
        shutil.rmtree(root, ignore_errors=True)
        if DELAYS:
            print("\nmeasured delays:", {k: round(v, 2) for k, v in DELAYS.items()})  # noqa: T201


def fetch_or_none(url: str) -> int | None:
    try:
        return fetch(url)[0]
    except OSError:
        return None


def api_headlines(machine: Machine) -> list[str]:
    status, body = machine.get("/api/v1/articles?edition=en&limit=50")
    assert status == 200, body[:500]
    return [item["headline"] for item in json.loads(body)["items"]]


@pytest.fixture(scope="module")
def published(machines):
    """An article published through A, once both machines' nginx serve the old home page
    from page files; the wall-clock time of the publication."""
    a, b = machines
    for machine in machines:
        for _ in range(2):  # the first request writes the page file, the second is served it
            assert machine.get("/en/")[0] == 200
            assert machine.get("/en/rss.xml")[0] == 200
        assert machine.page_file("/en/").exists()
    before = {m.name: (m.pages / "current").readlink() for m in machines}
    done = a.shell("article = write('Seen on both machines', 'seen-on-both')\n"
                   "services.publish(article, editor)\n"
                   "print(json.dumps({'pk': article.pk, 'url': article.get_absolute_url(),"
                   " 'at': time.time()}))")
    return {**done, "before": before}


def test_a_publication_through_a_reaches_both_machines_pages_feeds_and_api(machines,
                                                                          published):
    a, b = machines
    headline = "Seen on both machines"

    def everywhere(machine):
        status, home = machine.get("/en/")
        return (status == 200 and headline in home
                and headline in machine.get("/en/rss.xml")[1]
                and headline in api_headlines(machine)
                and machine.get(published["url"])[0] == 200)

    # Render on write: the publication is rendered by whichever machine's worker takes the
    # task, which switches its own page files; the other machine follows the shared state.
    DELAYS["publication, B"] = wait_until("B shows the article", lambda: everywhere(b),
                                          published["at"])
    DELAYS["publication, A"] = wait_until("A shows the article", lambda: everywhere(a),
                                          published["at"])
    # B's page files moved on to a new version: the old home page is no longer served.
    for machine in machines:
        assert (machine.pages / "current").readlink() != published["before"][machine.name]
        home = machine.page_file("/en/")
        assert not home.exists() or headline in home.read_text()
    # And the new pages are page files again, served by nginx without the application.
    for machine in machines:
        wait_until(f"{machine.name} writes its new home page file",
                   lambda m=machine: m.get("/en/")[0] == 200 and m.page_file("/en/").exists())
        assert headline in machine.page_file("/en/").read_text()


def test_an_unpublication_through_b_leaves_both_machines(machines, published):
    a, b = machines
    headline, url = "Seen on both machines", published["url"]
    # The article's page, served from page files on both machines before the change.
    for machine in machines:
        wait_until(f"{machine.name} has a page file of the article",
                   lambda m=machine: m.get(url)[0] == 200 and m.page_file(url).exists())
        assert headline in machine.get("/en/")[1]
    done = b.shell(f"services.unpublish(Article.objects.get(pk={published['pk']}), editor)\n"
                   "print(json.dumps({'at': time.time()}))")

    def gone(machine):
        status, home = machine.get("/en/")
        return (status == 200 and headline not in home
                and not machine.page_file(url).exists()
                and machine.get(url)[0] == 404
                and headline not in machine.get("/en/rss.xml")[1]
                and headline not in api_headlines(machine)
                and machine.get(f"/api/v1/articles/{published['pk']}")[0] == 404)

    DELAYS["unpublication, A"] = wait_until("A drops the article", lambda: gone(a), done["at"])
    assert gone(b)
    for machine in machines:  # asked again, the 404 stays a 404 (no page file of it)
        assert machine.get(url)[0] == 404 and not machine.page_file(url).exists()


def test_a_photo_uploaded_through_a_is_served_by_b_from_the_bucket(machines, bucket):
    a, b = machines
    _endpoint, s3 = bucket
    done = a.shell("from samizdat.photos import samples\n"
                   "from samizdat.photos import services as photos\n"
                   "photo = photos.ingest(samples.jpeg(1000, 700), name='street.jpg',"
                   " alt_text='A street')\n"
                   "print(json.dumps({'folder': photo.folder, 'at': time.time()}))")
    folder = done["folder"]
    status, headers, body = fetch(f"{b.front}/media/{folder}/480.jpg")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert body[:3] == b"\xff\xd8\xff"

    # The other renditions come from a task, run by whichever machine's worker takes it.
    def served():
        status, headers, body = fetch(f"{b.front}/media/{folder}/800.webp")
        return status == 200 and headers["Content-Type"] == "image/webp" and body[8:12] == b"WEBP"

    DELAYS["photo renditions, B"] = wait_until("B serves the renditions", served, done["at"])
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=folder)["Contents"]}
    assert f"{folder}/800.webp" in keys
    for machine in machines:  # nothing in either machine's own media folder
        assert not (machine.var / "media" / "photos").exists()


def test_scheduled_articles_are_published_once_with_two_workers_sweeping(machines):
    a, b = machines
    count = 4
    done = a.shell(
        "when = timezone.now() + datetime.timedelta(seconds=3)\n"
        f"ids = [write(f'Scheduled number {{n}}', f'scheduled-{{n}}').pk for n in range({count})]\n"
        "for pk in ids:\n"
        "    services.schedule(Article.objects.get(pk=pk), editor, when)\n"
        "print(json.dumps({'ids': ids, 'due': when.timestamp()}))")

    def all_shown(machine):
        headlines, home = api_headlines(machine), machine.get("/en/")[1]
        return all(f"Scheduled number {n}" in headlines and f"Scheduled number {n}" in home
                   for n in range(count))

    DELAYS["scheduled publication, B"] = wait_until(
        "both show the scheduled articles", lambda: all_shown(a) and all_shown(b),
        done["due"])
    # Every worker must have swept at least twice after the articles fell due, and every
    # publishing task (one per schedule) must have run: then count.
    report = a.shell(
        "from django_tasks_db.models import DBTaskResult\n"
        "from samizdat.newsroom.models import AuditEntry, Revision, TaskWorker\n"
        f"ids = {done['ids']}\n"
        f"due = datetime.datetime.fromtimestamp({done['due']}, datetime.UTC)\n"
        "swept = due + datetime.timedelta(seconds=2)\n"
        "deadline = time.monotonic() + 20\n"
        "while time.monotonic() < deadline and (\n"
        "        TaskWorker.objects.count() != 2\n"
        "        or TaskWorker.objects.filter(seen_at__lt=swept).exists()\n"
        "        or DBTaskResult.objects.filter(task_path__endswith='publish_due_articles')\n"
        "        .exclude(status__in=['SUCCESSFUL', 'FAILED']).exists()):\n"
        "    time.sleep(0.2)\n"
        "print(json.dumps({\n"
        "    'workers': TaskWorker.objects.filter(seen_at__gte=swept).count(),\n"
        "    'tasks': list(DBTaskResult.objects.filter(\n"
        "        task_path__endswith='publish_due_articles').values_list('status', flat=True)),\n"
        "    'audit': [AuditEntry.objects.filter(action='publish-scheduled',\n"
        "              object_id=str(pk)).count() for pk in ids],\n"
        "    'revisions': [Revision.objects.filter(article_id=pk, created_at__gte=due).count()\n"
        "                  for pk in ids],\n"
        "}))")
    assert report["workers"] == 2, report
    assert report["tasks"] == ["SUCCESSFUL"] * count, report
    assert report["audit"] == [1] * count, report
    assert report["revisions"] == [1] * count, report



def test_a_change_made_on_b_updates_the_baked_copy_on_a_once(machines):
    a, b = machines
    subprocess.run([*SAMIZDAT, "bake"], env=a.env, cwd=ROOT, check=True, capture_output=True,
                   timeout=300)
    # A's worker tells the other machines, with its heartbeat, that the copy is on A.
    wait_until("A announces its copy", lambda: a.redis.exists(f":1:{HOLDER_KEY}"))
    done = b.shell("article = write('Baked on A', 'baked-on-a')\n"
                   "services.publish(article, editor)\n"
                   "print(json.dumps({'pk': article.pk, 'url': article.get_absolute_url(),"
                   " 'at': time.time()}))")
    copy = a.var / "baked"
    page = copy / done["url"].strip("/") / "index.html"

    def updated():
        return page.exists() and "Baked on A" in (copy / "en" / "index.html").read_text()

    DELAYS["baked copy on A, change on B"] = wait_until("A's copy has the article", updated,
                                                        done["at"])
    assert not (b.var / "baked").exists()
    report = a.shell(
        "from django_tasks_db.models import DBTaskResult\n"
        "found = [(r.status, r.return_value, r.worker_ids, r.queue_name) for r in\n"
        "         DBTaskResult.objects.filter(task_path__endswith='update_copy')\n"
        f"         if {done['pk']} in r.args_kwargs['args'][0]]\n"
        "print(json.dumps(found))")
    # One update for the change, run once, by A's worker (B has no copy to update).
    [(status, value, workers, queue)] = report
    assert (status, value["updated"], len(workers), queue) == ("SUCCESSFUL", True, 1, "bake")
