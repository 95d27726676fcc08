# The targets Kazoo's operators know, on top of the `kazoo` binary.
#   make build-release                 # _rel/kazoo
#   make release ACT=start REL=ecallmgr   # ACT: console (default), start, attach, stop,
#                                         #      foreground, remote_console; REL: kazoo_apps (default)
#   make read-release-cookie REL=ecallmgr
#   make tar-release
ACT ?= console
REL ?= kazoo_apps
KAZOO = cargo run --quiet --

.PHONY: build-release build-dev-release release status read-release-cookie tar-release test

build-release:
	$(KAZOO) build-release

build-dev-release:
	$(KAZOO) build-release --dev-mode

release:
	$(KAZOO) $(ACT) $(REL)

status:
	@$(KAZOO) status

read-release-cookie:
	@$(KAZOO) read-release-cookie $(REL)

tar-release:
	$(KAZOO) tar-release

test:
	bash scripts/setup.sh && cargo test --workspace
