// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Every graph layer: include this to get them all.
#pragma once
#include "loom/layers/ace_hgnn.h"
#include "loom/layers/gat_conv.h"
#include "loom/layers/gcn_conv.h"
#include "loom/layers/gin_conv.h"
#include "loom/layers/hgnn_conv.h"
#include "loom/layers/histograph.h"
#include "loom/layers/hypergraph_attention.h"
#include "loom/layers/pool.h"
#include "loom/layers/sage_conv.h"
#include "loom/layers/sinc_conv.h"
#include "loom/layers/soft_hgnn.h"
