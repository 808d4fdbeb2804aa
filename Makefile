# KKC nearest-centre and routing service -- build, run, test, bench.
#   make run        set up, build, import the default data when needed, serve on 127.0.0.1:$(PORT)
#   make test       set up, build, run every test (C suites, HTTP suite, oracles, browser)
#   make sanitize   the C suites again under ASan + UBSan
#   make bench      benchmarks against the peers in ../shared/PEERS.md (figures, not assertions)
DATA_SRC ?= ../shared/data
DB       ?= data/kkc.sqlite
PORT     ?= 8080
HOST     ?= 127.0.0.1
BUILD    ?= build
OSM_DEFAULT ?= $(DATA_SRC)/osm/heidelberg.osm.pbf

CC      ?= cc
PKGS    := geos proj spatialite sqlite3 libmicrohttpd jansson readosm expat libpq
TPKGS   := check libcurl
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Werror
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -MMD -MP -Igeo -Iservice
LDFLAGS := $(SAN)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lmetis -lbz2 -lz -lpthread -lm
TPKG_CFLAGS = $(shell pkg-config --cflags $(TPKGS) 2>/dev/null)
TPKG_LIBS   = $(shell pkg-config --libs $(TPKGS) 2>/dev/null)

GEO_SRC  := $(sort $(wildcard geo/*.c geo/*/*.c geo/*/*/*.c))
SVC_SRC  := $(sort $(wildcard service/*.c))
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
GEO_OBJ  := $(GEO_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema.o $(BUILD)/gen/standards.o
SVC_OBJ  := $(SVC_SRC:%.c=$(BUILD)/%.o)
SVC_LIB_OBJ := $(filter-out $(BUILD)/service/main.o,$(SVC_OBJ))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/runner.o $(BUILD)/tests/testutil.o \
            $(BUILD)/tests/httputil.o $(BUILD)/tests/fixture_graph.o \
            $(BUILD)/tests/fixture_osm.o $(BUILD)/tests/fixture_route.o \
            $(BUILD)/tests/fixture_world.o $(BUILD)/tests/fixture_turn.o

KKC     := $(BUILD)/kkc
RUNNER  := $(BUILD)/test_runner

.PHONY: all run test test-c test-scripts sanitize bench fuzz fuzz-replay load soak clean deps deps-test \
        format setup install
all: deps $(KKC)

deps:
	@pkg-config --exists $(PKGS) 2>/dev/null && [ -f /usr/share/javascript/leaflet/leaflet.js ] && [ -f /usr/include/metis.h ] \
	  || scripts/setup

deps-test:
	@scripts/setup --test

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(TPKG_CFLAGS) -c $< -o $@

$(BUILD)/libkkcgeo.a: $(GEO_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(KKC): $(SVC_OBJ) $(BUILD)/libkkcgeo.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The test runner registers every `Suite *NAME_suite(void)` found in tests/*/test_*.c.
$(BUILD)/tests/suites.inc: $(TEST_SRC)
	@mkdir -p $(dir $@)
	@sed -n 's/^Suite \*\([a-z0-9_]*_suite\)(void)$$/SUITE(\1)/p' $(TEST_SRC) > $@.tmp && mv $@.tmp $@
$(BUILD)/tests/runner.o: $(BUILD)/tests/suites.inc
$(BUILD)/tests/runner.o: CFLAGS += -I$(BUILD)/tests
$(BUILD)/tests/%.o: CFLAGS += -Itests

$(RUNNER): $(TEST_OBJ) $(SVC_LIB_OBJ) $(BUILD)/libkkcgeo.a
	$(CC) $(LDFLAGS) -o $@ $^ $(TPKG_LIBS) $(PKG_LIBS)

# The default database: KHK centres, municipalities, boundaries + Heidelberg roads and OSM centres.
DB_SOURCES := $(wildcard $(DATA_SRC)/cz/*.geojson $(DATA_SRC)/cz/*/*.csv $(DATA_SRC)/cz/*/*.geojson) \
              $(OSM_DEFAULT) data/schema.sql
$(DB): $(KKC) $(DB_SOURCES)
	$(KKC) import --data $(DATA_SRC) --osm $(OSM_DEFAULT) --centres-from-osm --out $@

run: all $(DB)
	$(KKC) serve --db $(DB) --host $(HOST) --port $(PORT)

test: deps deps-test
	$(MAKE) --no-print-directory test-c
	$(MAKE) --no-print-directory test-scripts

test-c: $(KKC) $(RUNNER) $(DB)
	KKC_DB=$(DB) KKC_BIN=$(KKC) DATA_SRC=$(DATA_SRC) $(RUNNER)

# Tools in tests/tools: route_pairs, turn_pairs (the C side of tests/scripts/route_oracle.sh); query
# timings are tests/tools/bench_route.c (scripts/bench route).
TOOLS := $(BUILD)/route_pairs $(BUILD)/turn_pairs
$(TOOLS): $(BUILD)/%: tests/tools/%.c $(BUILD)/libkkcgeo.a
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BUILD)/libkkcgeo.a $(PKG_LIBS)

test-scripts: $(KKC) $(DB) $(TOOLS)
	@failed=""; for t in tests/scripts/*.sh; do [ -f "$$t" ] || continue; \
	  echo "== $$t"; KKC_DB=$(DB) KKC_BIN=$(KKC) DATA_SRC=$(DATA_SRC) \
	    KKC_FUZZ_SECONDS=$(CI_FUZZ_SECONDS) bash "$$t" || failed="$$failed $$t"; \
	done; if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi; echo "all test scripts passed"

sanitize: deps deps-test
	$(MAKE) --no-print-directory BUILD=build/san OPT="-O1 -g" DB=build/san/kkc.sqlite \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test-c

bench: all $(DB)
	scripts/setup --bench
	scripts/bench

# Fuzzing (libFuzzer, clang) and load tests (wrk) on demand; `make test` replays the fuzz corpora
# and fuzzes each target for CI_FUZZ_SECONDS.
FUZZ_SECONDS ?= 30
CI_FUZZ_SECONDS ?= 20
fuzz: deps deps-test
	scripts/fuzz $(FUZZ_SECONDS)
fuzz-replay:
	scripts/fuzz --replay
load: all $(DB)
	scripts/setup --bench && scripts/load
soak: all $(DB)
	scripts/setup --bench && scripts/load --soak 1000000

PREFIX ?= /usr/local
install: $(KKC)
	scripts/install --prefix "$(PREFIX)" --destdir "$(DESTDIR)" --build "$(BUILD)"

format:
	clang-format -i $$(git ls-files 'geo/*.[ch]' 'service/*.[ch]' 'tests/*.[ch]')

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# data/schema.sql compiled into the binary as a C string.
$(BUILD)/gen/schema.c: data/schema.sql
	@mkdir -p $(dir $@)
	@{ echo 'const char kkc_schema_sql[] ='; \
	   sed -e '/^[[:space:]]*--/d' -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/  "/' -e 's/$$/\\n"/' $<; \
	   echo ';'; } > $@.tmp && mv $@.tmp $@
$(BUILD)/gen/schema.o: $(BUILD)/gen/schema.c
	$(CC) $(CFLAGS) -Wno-overlength-strings -c $< -o $@ # the schema is one long string

# data/standards.csv (geo/coverage/standards.h) compiled in the same way, every line kept.
$(BUILD)/gen/standards.c: data/standards.csv
	@mkdir -p $(dir $@)
	@{ echo 'const char kkc_standards_csv[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/  "/' -e 's/$$/\\n"/' $<; \
	   echo ';'; } > $@.tmp && mv $@.tmp $@
$(BUILD)/gen/standards.o: $(BUILD)/gen/standards.c
	$(CC) $(CFLAGS) -Wno-overlength-strings -c $< -o $@
