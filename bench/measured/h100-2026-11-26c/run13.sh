#!/bin/bash
# Device run 13 (2026-11-26, eighth session, H100): the whole test bundle of 7d87829 with FEATURELAB_REQUIRE_WEBGPU=1; matmul vs TensorFlow.js-webgpu with the GPU warm-up.
for f in .gl/*.deb; do dpkg -x $f /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json XDG_RUNTIME_DIR=/tmp
(cd .dev && xz -d node.xz && chmod +x node && xz -d node_modules/webgpu/dist/linux-x64/dawn.node.xz)
ln -sfn .dev/node_modules node_modules
N=".dev/node --experimental-wasm-relaxed-simd"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.limit --format=csv > $OUT/gpu.txt 2>&1; cat $OUT/gpu.txt
T0=$(date +%s)
FEATURELAB_REQUIRE_WEBGPU=1 timeout 170 $N .dev/tests.mjs > $OUT/tests.txt 2>&1; echo "tests rc=$? $(( $(date +%s)-T0 ))s"; grep -iE "✘|FAIL|adapter" $OUT/tests.txt | head -20; tail -4 $OUT/tests.txt
timeout 100 $N .dev/matmul.mjs --engines=fl-webgpu,tfjs-webgpu --sizes=128,256,512,1024,2048,4096 --out=$OUT > $OUT/matmul.txt 2>&1; echo "matmul rc=$? $(( $(date +%s)-T0 ))s"
grep -E "(^(128|256|512|1024|2048|4096|X|dW|dX).*(✓|✗))|met|adapter" $OUT/matmul.txt | head -30
