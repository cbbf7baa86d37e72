#!/bin/bash
# Device run 15 (2026-11-26, eighth session, H100): the test bundle after the audits (compensated sums, Payne–Hanek sin/cos, gelu/acos/square′ edges, the exported metrics); the quick suite on WebGPU.
for f in .gl/*.deb; do dpkg -x $f /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json XDG_RUNTIME_DIR=/tmp
(cd .dev && xz -d node.xz && chmod +x node && xz -d node_modules/webgpu/dist/linux-x64/dawn.node.xz)
ln -sfn .dev/node_modules node_modules
mkdir -p /usr/share/datasets/fashion-mnist && cp .dev/fm/* /usr/share/datasets/fashion-mnist/
N=".dev/node --experimental-wasm-relaxed-simd"
T0=$(date +%s)
FEATURELAB_REQUIRE_WEBGPU=1 timeout 150 $N .dev/tests.mjs > $OUT/tests.txt 2>&1; echo "tests rc=$? $(( $(date +%s)-T0 ))s"; grep -iE "✘|FAIL|adapter" $OUT/tests.txt | head -20; tail -4 $OUT/tests.txt
timeout 170 $N dist/cli.js run suite --preset quick --backend webgpu --out /tmp/suite > $OUT/suite.txt 2>&1; echo "suite rc=$? $(( $(date +%s)-T0 ))s"
cp /tmp/suite/suite.json $OUT/ 2>/dev/null; tail -25 $OUT/suite.txt
