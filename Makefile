# multicloud.vpnlab: the two commands are `make lab` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
PLAYBOOK := $(BIN)/ansible-playbook
APT_PACKAGES := iproute2 nftables strongswan-charon strongswan-swanctl libcharon-extra-plugins \
	openssh-server openssh-client mtr-tiny iputils-ping iperf3 netcat-openbsd python3-venv git
ARGS ?=

.PHONY: help prereqs apt venv venv-test collection lab destroy check plan test unit lint sanity \
	integration molecule bench changelog clean

help:
	@echo "make lab       install what is missing (apt, .venv, collection), build the local lab, report"
	@echo "make destroy   tear the lab down (twice is fine)"
	@echo "make check     run the connectivity check against the existing lab"
	@echo "make plan      print the validated lab plan only"
	@echo "make test      everything CI runs: unit, lint, sanity, integration, molecule"
	@echo "make bench     benchmarks (print figures)"
	@echo "Pass extra ansible-playbook options with ARGS='-e vpnlab_name=lab2 -v'"

prereqs:
	@PYTHON=$(PYTHON) bash scripts/check-prereqs.sh $(MAKECMDGOALS)

# apt only runs when a package is missing, so a second `make lab` does not touch the network.
apt: prereqs
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "vpnlab: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null \
		|| { echo "vpnlab: apt-get install failed for: $$missing" >&2; exit 1; }; \
	fi

$(VENV)/.stamp-runtime: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.stamp-test: requirements-test.txt requirements.txt $(VENV)/.stamp-runtime
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-test.txt
	@touch $@

venv: apt $(VENV)/.stamp-runtime
# shellcheck lets ansible-test's shellcheck sanity test run (skipped without it).
venv-test: apt $(VENV)/.stamp-test
	@dpkg-query -W -f='$${Status}\n' shellcheck 2>/dev/null | grep -q 'install ok installed' \
		|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends shellcheck >/dev/null; }

# The collection is linked into the venv's ansible_collections, so FQCNs (multicloud.vpnlab.*)
# resolve for .venv/bin/ansible* from any directory, and edits here take effect at once.
collection: venv
	@dest=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections/multicloud; \
	mkdir -p $$dest && ln -sfn $(CURDIR) $$dest/vpnlab

lab: collection
	$(PLAYBOOK) playbooks/site.yml $(ARGS)

plan: collection
	$(PLAYBOOK) playbooks/plan.yml $(ARGS)

check: collection
	$(PLAYBOOK) playbooks/check.yml $(ARGS)

destroy: collection
	$(PLAYBOOK) playbooks/teardown.yml $(ARGS)

test: venv-test collection
	$(MAKE) --no-print-directory unit lint sanity integration molecule

unit:
	$(BIN)/pytest -q tests/unit

lint:
	$(BIN)/ansible-lint --offline
	$(BIN)/antsibull-changelog lint

# ansible-test needs the collection under an ansible_collections/<namespace>/<name> path.
sanity:
	bash scripts/sanity.sh

integration:
	$(BIN)/pytest -q tests/integration

molecule:
	@if ls extensions/molecule/*/molecule.yml >/dev/null 2>&1; then \
		cd extensions && for s in $$(ls molecule); do \
			[ -f molecule/$$s/molecule.yml ] || continue; \
			$(CURDIR)/$(BIN)/molecule test -s $$s || exit 1; done; \
	else echo "no molecule scenarios yet"; fi

bench: collection
	@for b in tests/bench/*.py; do $(BIN)/python $$b || exit 1; done

changelog:
	$(BIN)/antsibull-changelog release

clean:
	rm -rf build tests/output .pytest_cache
