# SPDX-License-Identifier: GPL-2.0
#
# Harness for the multikernel patchset; see README.md. Every target works on
# a fresh Debian 12 machine: "deps" installs what is missing first.

H := harness
OUT ?=
FUZZ_SECONDS ?= 600
# Where everything is built: harness/lib.sh holds the one default.
MK_CACHE ?= $(shell bash -c '. $(H)/lib.sh && echo "$$MK_CACHE"')
export MK_CACHE

.PHONY: help deps kernel tools kunit selftests static fuzz bench check demo shell patches

help:
	@echo 'make check      run every test (KUnit/UML, static checks, guest selftests)'
	@echo 'make demo       boot the patched kernel and run the walkthrough'
	@echo 'make kernel     build the x86_64 guest kernel and the lean instance kernel'
	@echo 'make tools      build the user-space side for the host (tools/multikernel)'
	@echo 'make kunit      run the KUnit suites under UML'
	@echo 'make selftests  run the selftests in the guest'
	@echo 'make static     checkpatch --strict and sparse'
	@echo 'make fuzz       fuzz the shared parser and validator (FUZZ_SECONDS=600)'
	@echo 'make bench      time validation, placement; KMP latency and throughput;'
	@echo '                how fast an instance starts, against a cold boot;'
	@echo '                vsock to an instance, against KMP underneath;'
	@echo '                the CPU time of kmorphd beside 4 instances'
	@echo 'make shell      interactive shell in the guest'
	@echo 'make patches    write the patch series (OUT=dir)'

deps:
	@$(H)/deps.sh

kernel: deps
	@$(H)/build-x86.sh instance
	@$(H)/build-x86.sh

tools: deps
	@$(H)/tree.sh
	@make -C tools/multikernel OUTPUT=$(MK_CACHE)/tools/ srctree=$(MK_CACHE)/linux all bench

kunit: deps
	@$(H)/kunit.sh

selftests: kernel
	@$(H)/selftests.sh

static: kernel
	@$(H)/static.sh

fuzz: deps
	@$(H)/fuzz.sh $(FUZZ_SECONDS)

bench: deps
	@$(H)/tree.sh
	@make -s -C tools/multikernel OUTPUT=$(MK_CACHE)/tools/ srctree=$(MK_CACHE)/linux bench
	@$(MK_CACHE)/tools/bench_validate
	@$(MK_CACHE)/tools/bench_kmp
	@$(MK_CACHE)/tools/bench_policy
	@$(MK_CACHE)/tools/bench_limits
	@$(H)/build-x86.sh
	@$(H)/build-x86.sh instance
	@$(H)/bench-spawn.sh 5 guest
	@$(H)/bench-spawn.sh 5 instance
	@$(H)/bench-vsock.sh
	@$(H)/bench-kmorphd.sh

check: deps
	@$(H)/check.sh

demo: kernel
	@$(H)/demo.sh

shell: kernel
	@$(H)/qemu-run --interactive

patches: deps
	@$(H)/patches.sh $(OUT)
