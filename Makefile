# Convenience wrappers; each target is the same command the README gives.
.PHONY: serve test build check bench
serve: ; python3 scripts/dev.py serve
test:  ; python3 scripts/dev.py test
build: ; python3 scripts/dev.py build
check: ; python3 scripts/dev.py check
bench: ; python3 scripts/dev.py bench
