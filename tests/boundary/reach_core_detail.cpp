// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Must not compile: a data source reaching a core internal that data is not sanctioned to use
// (see tests/boundary/CMakeLists.txt, test build.module_boundary).
#include "core/detail/macros.h"

int loom_boundary_reach_core_detail() { return 0; }
