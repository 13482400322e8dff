# jiceng — two commands for a fresh machine (see README.md):
#   make demo   virtualenv + install + migrate + demo district + web, task worker and scheduler on
#               http://127.0.0.1:8000 (another port: make demo PORT=8101); Ctrl+C stops them all
#   make test   virtualenv + test tools (+ Debian chromium and CJK font as root) + the whole gate
#
# Both honour DATABASE_URL from the environment (default: the embedded SQLite file var/jiceng.sqlite3).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := demo
.PHONY: demo test browsers var

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
MANAGE := $(PY) manage.py
RUNTIME_STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev
# The demo's web port; honcho hands it to Procfile.dev's web process.
PORT ?= 8000

# Only for `check --deploy` of the production settings: a throwaway secret that is never used to sign anything.
DEPLOY_CHECK_ENV := DJANGO_SETTINGS_MODULE=jiceng.settings.prod \
	SECRET_KEY=deploy-check-only-not-a-real-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
	JICENG_FIELD_KEY=x

$(PY):
	$(PYTHON) -m venv $(VENV)

# A stamp per requirements file: pip runs again only when the file is newer than the last install.
$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

# var/static is STATIC_ROOT (collectstatic fills it for the demo); WhiteNoise warns on every request if it is missing.
var:
	mkdir -p var/static

demo: $(RUNTIME_STAMP) var
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo
	@echo "jiceng 演示环境：http://127.0.0.1:$(PORT)/  （网站 web、后台任务进程 worker、定时任务调度 scheduler 一起运行；按 Ctrl+C 全部停止）"
	@echo
	@# honcho (Procfile.dev) starts the three and stops them all on Ctrl+C; its exit code 130 there is no error.
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PYTHONUNBUFFERED=1 $(VENV)/bin/honcho -f Procfile.dev start -p $(PORT) \
		|| { rc=$$?; [ $$rc -eq 130 ] || [ $$rc -eq 143 ] || exit $$rc; }

# Debian's Chromium and a CJK font for the browser tests (Playwright cannot download browsers here).
browsers:
	@if [ -x /usr/bin/chromium ] && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
		echo "chromium 与 fonts-wqy-microhei 已安装。"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-wqy-microhei; \
	else \
		echo "注意：未安装 chromium / fonts-wqy-microhei，且当前不是 root，无法自动安装；浏览器测试将被跳过。"; \
		echo "      请以 root 运行：apt-get install -y chromium fonts-wqy-microhei"; \
	fi

# The pytest run includes the deploy smoke test (tests/test_deploy_smoke.py: collectstatic, gunicorn and every
# persona under jiceng.settings.prod on a fresh PostgreSQL database; skipped without PostgreSQL unless CI=true).
test: $(DEV_STAMP) browsers var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The import contract (pyproject.toml [tool.importlinter], docs/decisions/import-layers.md): layers, no cycles.
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=jiceng.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=jiceng.settings.test $(MANAGE) makemigrations --check --dry-run
	$(DEPLOY_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING
	@# pytest exits 5 when it collected no tests: that is a failure too (make stops on any non-zero exit).
	$(PY) -m pytest -n 2 --dist loadgroup || { rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "pytest 没有收集到任何测试（exit 5），视为失败。"; fi; exit $$rc; }
include bench/Makefile.inc
