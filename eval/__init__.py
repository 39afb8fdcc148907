"""Scoring newsqa against gold question/answer packs; only uses rag's public API.

    from eval import run_eval
    result = run_eval()                                  # the seeds pack, in eval/seeds
    result = run_eval("../shared/newsqa/public", corpus="../shared/newsqa/corpus-609/corpus",
                      settings=Settings.load(backend="local"), out="results/run1")
    print(format_table(result.summary))
"""

from .pack import Pack, PackError, Question, load_pack
from .report import compare, format_compare, format_table, write_html
from .run import EvalResult, load_results, run_eval

__all__ = ["EvalResult", "Pack", "PackError", "Question", "compare", "format_compare", "format_table",
           "load_pack", "load_results", "run_eval", "write_html"]
