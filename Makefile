# Two commands: `make run` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System packages: libmpv for playback; the rest only for tests and benchmarks.
RUN_PKGS := libmpv2
TEST_PKGS := libmpv2 mpv chromium curl systemd ffmpeg mpd mpc ncmpcpp tmux snapserver snapclient

.PHONY: run test lint typecheck unit bench system-deps system-deps-test venv clean image-test

run: system-deps $(BIN)/.installed
	$(BIN)/tapedeck serve $(if $(CONFIG),--config $(CONFIG))

# supysonic (a real Subsonic server the tests run) lives in a venv of its own: its pinned
# dependencies never mix with tapedeck's.
SUPYSONIC_VENV := .venv-supysonic

test: system-deps-test $(BIN)/.installed $(SUPYSONIC_VENV)/.installed lint typecheck unit

lint: $(BIN)/.installed
	$(BIN)/ruff check player cache tests
	$(BIN)/ruff format --check player cache tests

typecheck: $(BIN)/.installed
	$(BIN)/mypy

SHOTS ?= /tmp/tapedeck-shots

unit: $(BIN)/.installed
	TAPEDECK_SHOTS=$(SHOTS) $(BIN)/python -m pytest $(PYTEST_ARGS)
	@echo "browser screenshots (light and dark, every screen): $(SHOTS)"

bench: system-deps-test $(BIN)/.installed $(SUPYSONIC_VENV)/.installed
	$(BIN)/python -m pytest tests/bench -s -p no:cacheprovider $(PYTEST_ARGS)

# Installs each Debian package only when it is missing, so a ready machine is not touched.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

system-deps:
	$(call apt_install,$(RUN_PKGS))
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; }

system-deps-test: system-deps
	$(call apt_install,$(TEST_PKGS))

$(BIN)/.installed: pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

$(SUPYSONIC_VENV)/.installed:
	@[ -x $(SUPYSONIC_VENV)/bin/python ] || $(PYTHON) -m venv $(SUPYSONIC_VENV)
	$(SUPYSONIC_VENV)/bin/python -m pip install -q 'supysonic==0.7.9' waitress
	@touch $@

image-test:
	$(MAKE) -C image test

clean:
	rm -rf $(VENV) $(SUPYSONIC_VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
