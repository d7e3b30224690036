// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Which GPU a process runs on. Loom runs all CUDA work of a process on one device, the one the CUDA runtime has
// current (device 0 unless chosen): tensors and messages call it "cuda". select_device picks another before the
// first CUDA allocation, as `loom ... --device cuda:N` does. Several GPUs at once are several processes.
#pragma once

namespace loom::cuda {

// GPUs the CUDA runtime sees (0 without CUDA, a driver or a device).
int device_count();
// Makes GPU `index` the process's device. DeviceError when it does not exist (naming how many do), when this Loom
// was built without CUDA, or when CUDA memory was already allocated on another device.
void select_device(int index);

}  // namespace loom::cuda
