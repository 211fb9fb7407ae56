"""vega-llvm: generate LLVM backends from TableGen descriptions and judge them with LLVM's own lit tests.

Stages (one subpackage each, data flows one way):
llvm -> corpus -> templates -> describe -> features -> model -> generate -> emit -> build -> littest -> eval.
"""

__version__ = "0.1.0"
LLVM_VERSION = "16.0.6"
LLVM_MAJOR = 16
