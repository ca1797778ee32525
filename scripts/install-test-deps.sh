#!/usr/bin/env bash
# Installs what the tests need beyond `npm install`: Debian's Chromium for the browser tests
# (playwright-core cannot download a browser here) and Debian's PyTorch for the PyTorch export's
# tests (tests/unit/export-torch.test.ts runs the exported train.py and torchrun). Does nothing
# for what is already there.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
/usr/bin/python3 -c "import torch" 2>/dev/null || missing+=(python3-torch libopenblas0-pthread)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the tests…"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
/usr/bin/python3 -c "import torch; print('python3-torch:', torch.__version__)"
