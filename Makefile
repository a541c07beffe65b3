# MiniRun — `sudo make run` to try it, `sudo make test` to check it.
#
#   make            build the NativeAOT binary: artifacts/minirun
#   make install    copy it to $(PREFIX)/bin (default /usr/local/bin)
#   make deps       apt-get install what a fresh Debian/Ubuntu lacks (only if something is missing)
#   make image      build the default image: artifacts/minibox.tar
#   make run        deps + build + image, load it, run a container from it
#   make test       deps + build, then every test against the built binary
#   make bench      benchmark against runc, crun, docker, bwrap, tar, umoci (root; writes bench/RESULTS.md)
#   make bench-smoke  the same in a few seconds, minibox only, nothing recorded (what CI may run)
#   make clean      remove build output

PREFIX  ?= /usr/local
DOTNET  ?= $(or $(shell command -v dotnet),$(firstword $(wildcard /usr/share/dotnet/dotnet /usr/lib/dotnet/dotnet $(HOME)/.dotnet/dotnet)),dotnet)
# The .NET runtime identifier of this machine: linux-x64 or linux-arm64.
RID     ?= linux-$(subst aarch64,arm64,$(subst x86_64,x64,$(shell uname -m)))
# NativeAOT links with clang; the csproj names clang-14 (Debian 12), other releases have plain clang.
CLANG   ?= $(or $(notdir $(shell command -v clang-14)),clang)
BIN     := artifacts/minirun
IMAGE   := artifacts/minibox.tar
SOURCES := $(shell find src \( -name bin -o -name obj \) -prune -o \( -name '*.cs' -o -name '*.c' -o -name '*.csproj' -o -name '*.json' \) -print) Directory.Build.props

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

.PHONY: all build install deps image run test bench bench-smoke clean

all: build

build: $(BIN)

# -warnaserror also makes trim/AOT analysis warnings (IL2xxx, IL3xxx) fail the build.
$(BIN): $(SOURCES)
	$(DOTNET) publish src/MiniRun.Cli -c Release -r $(RID) -o artifacts/publish \
		-p:CppCompilerAndLinker=$(CLANG) -p:TreatWarningsAsErrors=true -warnaserror
	# Replaced by rename: a running `run -d` supervisor keeps the old binary busy (ETXTBSY on overwrite).
	cp artifacts/publish/minirun $@.tmp && mv -f $@.tmp $@

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/minirun
	# MiniRun as an OCI runtime: engines call it with runc's argv (see `minirun runtime --help`).
	ln -sf minirun $(DESTDIR)$(PREFIX)/bin/minirun-runtime

deps:
	scripts/deps.sh

image: $(IMAGE)

$(IMAGE): images/minibox/build.sh rootfs-fixtures/busybox-rootfs.sh
	images/minibox/build.sh $@

# Interactive shell on a terminal; a short demo when there is none (CI, pipes).
run: deps build image
	@[ "$$(id -u)" -eq 0 ] || { echo "make run: containers need root: sudo make run" >&2; exit 1; }
	$(BIN) load -i $(IMAGE)
	@if [ -t 0 ] && [ -t 1 ]; then \
		echo "+ minirun run --rm -it minibox sh    (exit to leave)"; \
		$(BIN) run --rm -it minibox sh; \
	else \
		echo '+ minirun run --rm minibox sh -c "echo hello from $$(hostname); cat /etc/os-release; ps"'; \
		$(BIN) run --rm minibox sh -c 'echo hello from $$(hostname); cat /etc/os-release; ps'; \
	fi

test: deps build
	DOTNET=$(DOTNET) MINIRUN_BIN=$(CURDIR)/$(BIN) scripts/test.sh

# Medians of the peers in the same run, on tmpfs; inputs are cached in bench/out/.
bench: build image
	bench/bench.sh

bench-smoke: build image
	BENCH_QUICK=1 bench/bench.sh

clean:
	rm -rf artifacts
	find src tests rootfs-fixtures -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
