"""gunicorn settings for Alvéole: `gunicorn -c gunicorn.conf.py` (see docs/deploy.md).

Every value can be set from the environment; the defaults suit one machine behind a
reverse proxy (nginx, Caddy) that terminates TLS and forwards to 127.0.0.1:8000.
"""

import multiprocessing
import os

wsgi_app = "alveole.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Alvéole's requests are short and mostly database work: (2 × cores) + 1 sync workers.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # the PDF of a long report
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter): memory never creeps up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Trust X-Forwarded-* only from the proxy on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "1" else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The request id (X-Request-ID, set by Alvéole) ends each access log line.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'
# Loaded once in the master: workers fork with the code (and the settings check) done.
preload_app = True


def when_ready(server):
    """Move what the master loaded (Django, the code, the settings) out of the garbage
    collector's reach before the workers fork: their collections then pass over their
    own objects only (less work for the collector; the memory saved was not measured)."""
    import gc

    gc.collect()
    gc.freeze()
