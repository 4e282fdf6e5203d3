# multicloud.vpnlab: the two commands are `make lab` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
PLAYBOOK := $(BIN)/ansible-playbook
# Debian packages come from bindep.txt, their one list, read by the collection's one reader
# (plugins/module_utils/bindep.py, which the lab_host role's filter uses too) through
# scripts/bindep.py: standard library only, so the system python3 runs it before .venv/ exists.
BINDEP := $(PYTHON) scripts/bindep.py
# Install what is missing of bindep.txt's profiles $(1); apt only runs when a package is missing,
# so a second `make lab` does not touch the network.
define apt_install
	@wanted=$$($(BINDEP) $(1)) || exit 1; \
	missing=$$(for p in $$wanted; do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "vpnlab: installing" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null \
		|| { echo "vpnlab: apt-get install failed for:" $$missing >&2; exit 1; }; \
	fi
endef
PROFILES ?= make lab
ARGS ?=

.PHONY: help prereqs apt apt-test apt-rehearse bindep venv venv-test cloud-deps collection lab destroy check plan test unit \
	lint sanity integration molecule bench bench-scale changelog clean rehearse rehearse-shell rehearse-down \
	docs ee

help:
	@echo "make lab       install what is missing (apt, .venv, collection), build the local lab, report"
	@echo "make destroy   tear the lab down (twice is fine)"
	@echo "make check     run the connectivity check against the existing lab"
	@echo "make plan      print the validated lab plan only"
	@echo "make test      everything CI runs: unit, lint, sanity, integration, molecule"
	@echo "make cloud-deps  install the Azure SDK the cloud target needs (about 2 GB; make test does it)"
	@echo "make rehearse  the cloud target offline: AWS and Azure test doubles with a real data plane (README)"
	@echo "make rehearse-shell [CMD='...']  a shell (or one command) with a cloud user's environment, in the rehearsal"
	@echo "make rehearse-down  tear the rehearsal's lab down through the cloud path, then stop the rehearsal"
	@echo "make docs      the collection's docs site (antsibull-docs, Sphinx) in build/docs/html/index.html"
	@echo "make ee        the execution environment's build context in build/ee (execution-environment.yml)"
	@echo "make bench     benchmarks (print figures); make bench-scale: 3, 6, 12 VMs (20 min)"
	@echo "Pass extra ansible-playbook options with ARGS='-e vpnlab_name=lab2 -v'"

prereqs:
	@PYTHON=$(PYTHON) bash scripts/check-prereqs.sh $(MAKECMDGOALS)

apt: prereqs
	$(call apt_install,make lab)

apt-test: apt
	$(call apt_install,test)

apt-rehearse: apt
	$(call apt_install,rehearse)

# The packages of bindep.txt for PROFILES, one a line: `make -s bindep PROFILES="lab test"`.
bindep:
	@$(BINDEP) $(PROFILES)

# .venv: Ansible (requirements-ansible.txt) and the collection's runtime packages
# (requirements.txt: ranges, at the exact versions of constraints.txt); `make test` adds the test
# tools (requirements-test.txt).
#
# uv installs the same pins in about a third of pip's time (docs/benchmarks.md: 75 s against
# 261 s for the three installs of `make test`). It is itself installed by the venv's pip, at the
# version below; pip installs instead when uv cannot be had or fails, and `make INSTALLER=pip`
# keeps to pip. Bytecode is compiled at install (uv's --compile-bytecode; pip does it by
# default): with PYTHONDONTWRITEBYTECODE set, nothing would compile it later, and every module
# run would compile the Azure SDK again.
INSTALLER ?= uv
UV_VERSION := 0.13.9
define venv_install
	@if [ "$(INSTALLER)" = uv ] && { test -x $(BIN)/uv || $(BIN)/pip install -q --disable-pip-version-check uv==$(UV_VERSION); }; then \
		echo "uv pip install $(1)"; \
		$(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode $(1) && exit 0; \
		echo "vpnlab: uv pip install failed; installing with pip instead" >&2; \
	fi; \
	echo "pip install $(1)"; \
	$(BIN)/pip install -q --disable-pip-version-check $(1)
endef

$(VENV)/.stamp-runtime: requirements-ansible.txt requirements.txt constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(call venv_install,-c constraints.txt -r requirements-ansible.txt -r requirements.txt)
	@touch $@

$(VENV)/.stamp-test: requirements-test.txt constraints.txt $(VENV)/.stamp-runtime
	$(call venv_install,-c constraints.txt -r requirements-test.txt)
	@touch $@

venv: apt $(VENV)/.stamp-runtime
venv-test: apt-test $(VENV)/.stamp-test

# The cloud target's Azure SDK: azure.azcollection's own requirements.txt (58 exact pins, about
# 2 GB, 1-2 minutes), which its modules and ours (on AzureRMModuleBase) import all at once. Only
# the cloud target and `make test` need it; `make lab` (local) never installs it.
AZURE_REQUIREMENTS = $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections/azure/azcollection/requirements.txt
$(VENV)/.stamp-cloud: $(VENV)/.stamp-runtime
	@echo "vpnlab: installing the Azure SDK for the cloud target (azure.azcollection's requirements, about 2 GB, 1-2 minutes); the local target does not need it"
	$(call venv_install,-r $(AZURE_REQUIREMENTS))
	$(BIN)/pip check
	@touch $@

cloud-deps: venv $(VENV)/.stamp-cloud

# The collection is linked into the venv's ansible_collections, so FQCNs (multicloud.vpnlab.*)
# resolve for .venv/bin/ansible* from any directory, and edits here take effect at once.
collection: venv
	@dest=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections/multicloud; \
	mkdir -p $$dest && ln -sfn $(CURDIR) $$dest/vpnlab

# The cloud target (ARGS='-e vpnlab_target=cloud ...') needs the Azure SDK first; local does not.
lab: collection $(if $(findstring vpnlab_target=cloud,$(ARGS)),cloud-deps)
	$(PLAYBOOK) playbooks/site.yml $(ARGS)

plan: collection
	$(PLAYBOOK) playbooks/plan.yml $(ARGS)

check: collection
	$(PLAYBOOK) playbooks/check.yml $(ARGS)

destroy: collection
	$(PLAYBOOK) playbooks/teardown.yml $(ARGS)

# The static stages side by side (each one's output printed whole when it ends), then the
# stages that build labs.
test: venv-test cloud-deps collection
	$(MAKE) --no-print-directory -j3 --output-sync=target unit lint ee sanity
	$(MAKE) --no-print-directory integration molecule

unit:
	$(BIN)/pytest -q -n 2 --durations=5 tests/unit

# mypy: plugins/module_utils with mypy.ini (scripts/mypy.sh makes the collection's imports resolve).
# antsibull-docs copies the collection and its dependencies, each with `git ls-files` when it sits
# in a git work tree: the ceiling keeps git from taking the dependencies in .venv/ for files of
# this repository that it ignores (they would be copied empty, and every doc fragment missing).
lint:
	$(BIN)/ansible-lint --offline
	bash scripts/mypy.sh
	$(BIN)/antsibull-changelog lint
	GIT_CEILING_DIRECTORIES=$(CURDIR)/$(VENV) $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# The collection's docs site, as docs.ansible.com renders collections: build/docs/html/index.html.
DOCS := build/docs
docs: collection
	rm -rf $(DOCS) && mkdir -p $(DOCS)
	$(BIN)/antsibull-docs sphinx-init --use-current --squash-hierarchy --lenient --fail-on-error \
		--title multicloud.vpnlab --dest-dir $(DOCS) multicloud.vpnlab
	cd $(DOCS) && ./build.sh
	@echo "vpnlab: docs in $(DOCS)/build/html/index.html"

# The execution environment's build context (execution-environment.yml): the collection's tarball
# in build/, then build/ee/ with its Containerfile; `ansible-builder build --context build/ee`
# (or podman build build/ee) makes the image.
ee:
	rm -f build/multicloud-vpnlab-*.tar.gz
	$(BIN)/ansible-galaxy collection build --force --output-path build .
	$(BIN)/ansible-builder create --file execution-environment.yml --context build/ee --output-filename Containerfile

# ansible-test needs the collection under an ansible_collections/<namespace>/<name> path.
sanity:
	bash scripts/sanity.sh

# Three workers, a test file each at a time, the slowest files first (conftest.py), the 10 slowest
# tests named at the end (every test's time in tests/output/junit-integration.xml): the files wait
# mostly on Ansible runs and emulators,
# and a file's labs and emulators (own names, own loopback-only namespaces) never meet another's.
integration:
	$(BIN)/pytest -q -n 3 --dist loadfile --no-loadscope-reorder --durations=10 \
		--junitxml=tests/output/junit-integration.xml tests/integration

# Every scenario of extensions/molecule, two at a time, the emulators' in a loopback-only network
# namespace (scripts/molecule.sh; MOLECULE_JOBS=1 runs them one after the other).
molecule:
	bash scripts/molecule.sh

# Benchmarks print figures, they assert nothing. bench_scale (3, 6 and 12 VMs, ten checks each,
# about 20 minutes) runs with `make bench-scale`; the cloud benchmarks need `make cloud-deps`.
bench: collection cloud-deps
	@for b in $$(ls tests/bench/bench_*.py | grep -v bench_scale); do \
		echo "== $$b"; $(BIN)/python $$b || exit 1; done

bench-scale: collection
	$(BIN)/python tests/bench/bench_scale.py

# The rehearsal (tests/rehearsal/README.md): the cloud target on the AWS and Azure test doubles
# with a real data plane, all in network namespaces with no route out. ARGS and CMD reach it
# through the environment, so that no quoting of theirs is lost on the way.
REHEARSAL := $(BIN)/python -m tests.rehearsal
rehearse rehearse-shell rehearse-down: export VPNLAB_REHEARSAL_ARGS := $(ARGS)
rehearse-shell: export VPNLAB_REHEARSAL_CMD := $(value CMD)

rehearse: apt-rehearse cloud-deps collection
	$(REHEARSAL) up
	$(REHEARSAL) run -- $(PLAYBOOK) playbooks/site.yml -e vpnlab_target=cloud $(ARGS)
	@echo "vpnlab: the rehearsal stays up: make rehearse-shell (a cloud user's shell in it), make rehearse (again: re-run or repair), make rehearse-down"

rehearse-shell: collection
	$(REHEARSAL) shell

rehearse-down: collection
	$(REHEARSAL) down

changelog:
	$(BIN)/antsibull-changelog release

clean:
	rm -rf build context tests/output .pytest_cache
