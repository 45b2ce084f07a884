"""Developer tooling around the handbook, not part of the build: the Lighthouse audit, the static server the
tests and benchmark share, and the search evaluation."""
