"""Stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test --venv downloads get-pip.py from ci-files.testing.ansible.com, which CI machines here
cannot reach (only PyPI and Debian mirrors). This script does the same job from what is reachable:
ensurepip puts the bundled pip into the new venv, then pip installs the packages ansible-test asks
for (for example pip==24.2) from the configured index. `make sanity` copies it into
~/.ansible/test/cache/ under the name ansible-test looks for.
"""
import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel", "--no-pip"}

# ensurepip sets PIP_CONFIG_FILE=/dev/null in os.environ; the pip install below must see the
# machine's pip.conf (index, CA certificate), so it gets the environment from before.
env = dict(os.environ)
ensurepip.bootstrap(upgrade=True)
args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade"] + args, env=env))
