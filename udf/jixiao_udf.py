"""xlwings desktop UDF module for the JX_ functions (绩效评价函数).

Two equivalent ways to load the functions into Excel (Windows, xlwings add-in):

* ``UDF Modules`` = ``jixiao.hosts.xlwings_host`` — nothing else needed once ``jixiao`` is
  installed (``jixiao addin install`` writes exactly this), or
* ``UDF Modules`` = ``jixiao_udf`` with this folder on the xlwings ``PYTHONPATH``.

This file only re-exports the package module: every JX_ function is generated there from
``jixiao.functions.REGISTRY``, so nothing here can drift from the registry.
"""

from jixiao.hosts.xlwings_host import *  # noqa: F403
from jixiao.hosts.xlwings_host import __all__  # noqa: F401
