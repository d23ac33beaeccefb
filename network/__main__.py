"""``python -m network {matrix,access,plan,components} ...``"""

import sys

from .cli import main

sys.exit(main())
