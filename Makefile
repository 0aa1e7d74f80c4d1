# make test-smoke: the original README's seven-step smoke test (test/smoke.sh). With a working Docker or Podman
# engine it builds the image and runs packbase in a container; otherwise (or with SMOKE_MODE=loopback) it runs the
# same steps against java -jar target/packbase.war on loopback. It prints the mode it ran in.
SMOKE_MODE ?= auto

.PHONY: test-smoke
test-smoke:
	SMOKE_MODE=$(SMOKE_MODE) bash test/smoke.sh
