// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// One test harness for the message-passing engine, in the spirit of ggml's test-backend-ops (GUIDE 3.7): a table
// of entries (gspmm's message x reduction x feature layout, propagate's fused update, gsddmm's ops, edge_softmax),
// each run through the same checks on graphs from random_graph (empty rows, isolated nodes, self loops, duplicate
// edges, a hub row, no edges, two sides):
//   - the forward against the float64 loop references of support/reference.h (float64 and float32 inputs);
//   - a float64 central-difference gradcheck of every element of every tensor input (tiny graphs);
//   - bitwise determinism of the forward and every gradient at 1 and 3 TBB threads and the default (all cores);
//   - CPU against CUDA within float32 rounding (and float64 within 1e-9), two CUDA runs bitwise equal.
// The layouts include F = 1, 16, 48 and 128 with one weight per edge: the CPU fast sum (try_fast_sum in
// core/message/gspmm_cpu.cpp: copy_u or u_mul_e, sum or mean, the whole row one contiguous run of u, one weight
// per entry, F % 16 == 0), and next to them the layouts it does not take. Adding an entry is one line in table()
// (or one layout line in kSpmmLayouts / kSddmmLayouts, crossed with every op). Inputs come from random_values (a
// fast counter-based generator), so the few hundred entries stay within seconds.
#include <gmock/gmock.h>

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/detail/activation.h"
#include "core/message/binary_ops.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/random_graph.h"
#include "support/reference.h"
#include "support/testing.h"

namespace loom {
namespace {

using mp::Act;
using mp::Binary;
using mp::Msg;
using mp::Reduce;
using testing::op_name;
using testing::rows_then;

constexpr double kSlope = 0.1;  // of the leaky ReLU updates

// ---------------------------------------------------------------- the entries
enum class Kind : uint8_t { kSpmm, kSddmm, kSoftmax };

struct Entry {
  Kind kind = Kind::kSpmm;
  Msg msg = mp::copy_u;      // gspmm / propagate
  Reduce reduce = mp::sum;
  Binary op = mp::u_add_v;   // gsddmm
  Shape a, b;                // trailing shapes: gspmm u and e; gsddmm u and v; edge_softmax e (a)
  bool fused = false;        // propagate with the update below (else plain gspmm)
  Act act = Act::kIdentity;
  bool bias = false, root = false;

  bool uses_a() const {
    return kind == Kind::kSpmm ? testing::uses_u(msg) : kind == Kind::kSddmm ? op != mp::copy_v_e : true;
  }
  bool uses_b() const {
    return kind == Kind::kSpmm ? testing::uses_e(msg) : kind == Kind::kSddmm && op != mp::copy_u_e;
  }
  std::string name() const {
    auto s = [](const Shape& x) { return shape_str(x); };
    switch (kind) {
      case Kind::kSpmm: {
        std::string n = (fused ? "propagate " : "gspmm ") + op_name(msg) + "/" + op_name(reduce);
        if (fused) n += std::string("+") + op_name(act) + (bias ? "+bias" : "") + (root ? "+root" : "");
        return n + (uses_a() ? " u" + s(a) : "") + (uses_b() ? " e" + s(b) : "");
      }
      case Kind::kSddmm:
        return "gsddmm " + op_name(op) + (uses_a() ? " u" + s(a) : "") + (uses_b() ? " v" + s(b) : "");
      case Kind::kSoftmax: break;
    }
    return "edge_softmax e" + s(a);
  }
};

Entry spmm(Msg m, Reduce r, Shape u, Shape e) { return {Kind::kSpmm, m, r, mp::u_add_v, std::move(u), std::move(e)}; }
Entry prop(Msg m, Reduce r, Shape u, Shape e, Act act, bool bias, bool root) {
  Entry x = spmm(m, r, std::move(u), std::move(e));
  x.fused = true;
  x.act = act;
  x.bias = bias;
  x.root = root;
  return x;
}
Entry sddmm(Binary op, Shape u, Shape v) { return {Kind::kSddmm, mp::copy_u, mp::sum, op, std::move(u), std::move(v)}; }
Entry softmax(Shape e) { return {Kind::kSoftmax, mp::copy_u, mp::sum, mp::u_add_v, std::move(e), {}}; }

const Msg kMsgs[] = {mp::copy_u, mp::copy_e, mp::u_mul_e, mp::u_add_e, mp::u_sub_e, mp::u_div_e};
const Reduce kReduces[] = {mp::sum, mp::mean, mp::max, mp::min};
const Binary kBinaries[] = {mp::u_dot_v, mp::u_add_v, mp::u_sub_v, mp::u_mul_v, mp::u_div_v, mp::copy_u_e,
                            mp::copy_v_e};

// Every (message, reduction) pair on each of these (u, e) trailing shapes. One line per layout.
const std::vector<std::pair<Shape, Shape>> kSpmmLayouts = {
    {{1}, {}},         // F = 1, one weight per edge
    {{16}, {}},        // F = 16: the CPU fast sum (copy_u, u_mul_e; sum, mean), blocks of 16
    {{128}, {}},       // F = 128: the fast sum's widest unrolled width in the table
    {{48}, {}},        // F % 16 == 0 but not an unrolled width: the fast sum in blocks of 16
    {{16}, {1}},       // e [E, 1]: still one weight per edge (fast)
    {{7}, {}},         // F % 16 != 0: the generic rows
    {{16}, {16}},      // e [E, F]: u_mul_e leaves the fast sum (copy_u keeps it)
    {{1}, {16}},       // u broadcast against e
    {{2, 8}, {2}},     // multi-head, e [E, H] scales each head (copy_u: one run of 16, fast)
    {{2, 8}, {2, 1}},  // e [E, H, 1]
    {{2, 8}, {2, 8}},  // e [E, H, C]
    {{4, 32}, {4}},    // GAT's layout (the CUDA per-head kernel)
};

// Each gsddmm op on each of these (u, v) trailing shapes.
const std::vector<std::pair<Shape, Shape>> kSddmmLayouts = {
    {{1}, {1}},          // F = 1
    {{16}, {16}},        // F = 16
    {{128}, {128}},      // F = 128
    {{7}, {7}},          // F not a multiple of the vector width
    {{2, 8}, {2, 8}},    // multi-head, same shapes
    {{2, 8}, {2}},       // per-head v
    {{1, 8}, {2, 8}},    // u broadcast over heads
    {{}, {6}},           // u [N] against v [M, 6]
    {{4, 32}, {4, 32}},  // GAT's dot
};

std::vector<Entry> table() {
  std::vector<Entry> t;
  // gspmm: copy_u reads only u and copy_e only e, so those repeat once per distinct operand shape.
  std::set<Shape> seen_u, seen_e;
  for (const auto& [u, e] : kSpmmLayouts) {
    const bool new_u = seen_u.insert(u).second, new_e = seen_e.insert(e).second;
    for (Msg m : kMsgs) {
      if ((m == mp::copy_u && !new_u) || (m == mp::copy_e && !new_e)) continue;
      for (Reduce r : kReduces) t.push_back(spmm(m, r, u, e));
    }
  }
  // propagate: the update fused into the store, on the fast sum and off it. One line per entry.
  t.push_back(prop(mp::u_mul_e, mp::sum, {16}, {}, Act::kRelu, true, false));        // GCN (fast sum)
  t.push_back(prop(mp::copy_u, mp::mean, {128}, {}, Act::kIdentity, true, true));    // SAGE's root (fast sum)
  t.push_back(prop(mp::copy_u, mp::sum, {48}, {}, Act::kSigmoid, false, true));      // fast sum, blocks of 16
  t.push_back(prop(mp::u_mul_e, mp::sum, {7}, {}, Act::kLeakyRelu, true, false));    // generic rows
  t.push_back(prop(mp::u_mul_e, mp::max, {16}, {}, Act::kTanh, true, true));         // max + update
  t.push_back(prop(mp::u_mul_e, mp::mean, {2, 8}, {2}, Act::kTanh, true, false));    // multi-head
  t.push_back(prop(mp::copy_e, mp::sum, {}, {2}, Act::kIdentity, false, true));      // copy_e + root
  // gsddmm: copy_u reads only u and copy_v only v.
  std::set<Shape> seen_su, seen_sv;
  for (const auto& [u, v] : kSddmmLayouts) {
    const bool new_u = seen_su.insert(u).second, new_v = seen_sv.insert(v).second;
    for (Binary op : kBinaries) {
      if ((op == mp::copy_u_e && !new_u) || (op == mp::copy_v_e && !new_v)) continue;
      t.push_back(sddmm(op, u, v));
    }
  }
  // edge_softmax: e [E] and [E, H].
  for (const Shape& e : {Shape{}, Shape{1}, Shape{4}, Shape{37}}) t.push_back(softmax(e));
  return t;
}

// Whether the CPU forward of an entry takes the fast sum: the conditions of try_fast_sum (gspmm_cpu.cpp) on the
// layout make_bcast builds: copy_u or u_mul_e; sum or mean; u's whole row one contiguous run of L = F values the
// output row also has (nothing broadcast); for u_mul_e one weight per entry; L % 16 == 0.
bool cpu_fast_sum(const Entry& x) {
  if (x.kind != Kind::kSpmm || (x.msg != mp::copy_u && x.msg != mp::u_mul_e)) return false;
  if (x.reduce != mp::sum && x.reduce != mp::mean) return false;
  const int64_t L = shape_numel(x.a);
  if (x.msg == mp::u_mul_e && shape_numel(x.b) != 1) return false;
  return L % 16 == 0 && L > 0;
}

// ---------------------------------------------------------------- inputs, the op, the reference
// Trailing shape of the broadcast of a against b (the shorter padded with 1s on the right).
Shape broadcast(Shape a, Shape b) {
  const size_t r = std::max(a.size(), b.size());
  a.resize(r, 1);
  b.resize(r, 1);
  for (size_t d = 0; d < r; ++d) a[d] = std::max(a[d], b[d]);
  return a;
}

Shape spmm_out(const Entry& x) {
  if (x.msg == mp::copy_u) return x.a;
  if (x.msg == mp::copy_e) return x.b;
  return broadcast(x.a, x.b);
}

// The tensor inputs of an entry on g (undefined where the op does not read one): gspmm {u, e, bias, root}, gsddmm
// {u, v}, edge_softmax {e}. Edge values and v stay in [0.5, 1.5] so that the divisions are smooth.
std::vector<Tensor> make_inputs(const Entry& x, const Csr& g, DType dt, uint32_t seed) {
  auto maybe = [](bool used, Tensor t) { return used ? t : Tensor(); };
  switch (x.kind) {
    case Kind::kSpmm:
      return {maybe(x.uses_a(), testing::random_values(rows_then(g.num_cols(), x.a), seed, -1, 1, dt)),
              maybe(x.uses_b(), testing::random_values(rows_then(g.nnz(), x.b), seed + 1, 0.5, 1.5, dt)),
              maybe(x.bias, testing::random_values(spmm_out(x), seed + 2, -1, 1, dt)),
              maybe(x.root, testing::random_values(rows_then(g.num_rows(), spmm_out(x)), seed + 3, -1, 1, dt))};
    case Kind::kSddmm:
      return {maybe(x.uses_a(), testing::random_values(rows_then(g.num_cols(), x.a), seed, -1, 1, dt)),
              maybe(x.uses_b(), testing::random_values(rows_then(g.num_rows(), x.b), seed + 1, 0.5, 1.5, dt))};
    case Kind::kSoftmax: break;
  }
  return {testing::random_values(rows_then(g.nnz(), x.a), seed, -3, 3, dt)};
}

Tensor apply(const Entry& x, const Csr& g, const std::vector<Tensor>& in) {
  switch (x.kind) {
    case Kind::kSpmm:
      if (!x.fused) return mp::gspmm(g, x.msg, x.reduce, in[0], in[1]);
      return mp::propagate(g, {x.msg, x.reduce, {in[2], x.act, kSlope, in[3]}}, in[0], in[1]);
    case Kind::kSddmm: return mp::gsddmm(g, x.op, in[0], in[1]);
    case Kind::kSoftmax: break;
  }
  return mp::edge_softmax(g, in[0]);
}

// float64 loops: support/reference.h, then propagate's update (root, bias, activation) element by element.
Tensor reference(const Entry& x, const Csr& g, const std::vector<Tensor>& in) {
  switch (x.kind) {
    case Kind::kSpmm: {
      const Tensor z = testing::gspmm_reference(g, x.msg, x.reduce, in[0], in[1]);
      if (!x.fused) return z;
      std::vector<double> v = testing::host(z);
      const std::vector<double> bias = testing::host(in[2]), root = testing::host(in[3]);
      const size_t L = static_cast<size_t>(shape_numel(spmm_out(x)));
      for (size_t i = 0; i < v.size(); ++i) {
        if (!root.empty()) v[i] += root[i];
        if (!bias.empty()) v[i] += bias[i % L];
        v[i] = testing::ref_act(x.act, v[i], kSlope);
      }
      return from_vector<double>(v, z.shape());
    }
    case Kind::kSddmm: return testing::gsddmm_reference(g, x.op, in[0], in[1]);
    case Kind::kSoftmax: break;
  }
  return testing::edge_softmax_reference(g, in[0]);
}

// Tolerances against the float64 reference (max |diff| for float64 inputs; rtol = atol for float32) and between
// CPU and CUDA in float32 (sums over the 2030-entry hub in another order); float64 CUDA is held to 1e-9.
struct Tolerance {
  double f64, f32, cuda_rtol, cuda_atol;
};
Tolerance tolerance(const Entry& x) {
  switch (x.kind) {
    case Kind::kSpmm: return {1e-12, 1e-5, 1e-4, 1e-3};
    case Kind::kSddmm: return {1e-12, 1e-5, 1e-4, 1e-5};
    case Kind::kSoftmax: break;
  }
  return {1e-14, 1e-6, 1e-4, 1e-6};
}

uint32_t seed_of(size_t entry, size_t graph) { return 1000 + static_cast<uint32_t>(entry * 16 + graph * 4); }

// ---------------------------------------------------------------- the graphs
struct TableGraph {
  std::string name;
  Csr g;
};
// Forward against the reference: a square graph with empty rows, isolated nodes, self loops, duplicates and a
// 160-entry hub; a bipartite one (N != M); the zero-edge graph; a tiny one.
std::vector<TableGraph> reference_graphs() {
  return {{"square_hub", testing::random_csr(11, 200, 200, 4)},
          {"bipartite", testing::random_csr(12, 90, 160, 3)},
          {"zero_edge", testing::random_csr(15, 7, 4, 0)},
          {"tiny", testing::random_csr(14, 5, 5, 1)}};
}
// Gradchecks: tiny (every input element is perturbed twice), with the same mix: a hub over every usable source,
// duplicates, a self loop, an empty row, an isolated source; and no edges.
std::vector<TableGraph> gradcheck_graphs() {
  return {{"square", testing::random_csr(21, 6, 6, 2)},
          {"bipartite", testing::random_csr(22, 4, 5, 2)},
          {"zero_edge", testing::random_csr(23, 3, 2, 0)}};
}
// Thread counts: enough rows and work that the CPU kernels split into several tasks; an 800-entry hub.
TableGraph threads_graph() { return {"square_1000", testing::random_csr(31, 1000, 1000, 3)}; }
// CPU against CUDA: the reference graphs, the thread-count one and a 3000-node one whose 2030-entry hub spans
// several chunks of the CUDA kernels.
std::vector<TableGraph> cuda_graphs() {
  std::vector<TableGraph> gs = reference_graphs();
  gs.push_back(threads_graph());
  gs.push_back({"square_3000", testing::random_csr(41, 3000, 3000, 4)});
  return gs;
}

// ---------------------------------------------------------------- the checks
TEST(EngineTable, CoversTheCpuFastSumAndTheOtherPaths) {
  // The table must reach try_fast_sum with every unrolled width it holds and the blocked one, both messages and
  // both reductions it serves, with and without an update, and must also hold the layouts next to it that leave it.
  const std::vector<Entry> t = table();
  std::set<std::string> fast, slow;
  for (const Entry& x : t) {
    if (x.kind != Kind::kSpmm) continue;
    const std::string key = op_name(x.msg) + "/" + op_name(x.reduce) + " F" + std::to_string(shape_numel(x.a)) +
                            (x.fused ? " fused" : "");
    (cpu_fast_sum(x) ? fast : slow).insert(key);
  }
  for (const char* want : {"copy_u/sum F16", "copy_u/mean F16", "u_mul_e/sum F16", "u_mul_e/mean F16",
                           "copy_u/sum F128", "u_mul_e/sum F128", "u_mul_e/mean F128", "copy_u/sum F48",
                           "u_mul_e/sum F48", "u_mul_e/sum F16 fused", "copy_u/mean F128 fused"}) {
    EXPECT_TRUE(fast.count(want)) << want << " should take the CPU fast sum";
  }
  for (const char* want : {"copy_u/sum F1", "u_mul_e/sum F1", "u_mul_e/sum F7", "u_add_e/sum F16",
                           "u_mul_e/max F16", "copy_u/max F128", "u_mul_e/sum F7 fused"}) {
    EXPECT_TRUE(slow.count(want)) << want << " should take the generic rows";
  }
  // u_mul_e with e [E, F] or [E, H] at L = 16 leaves the fast sum even though L % 16 == 0.
  EXPECT_FALSE(cpu_fast_sum(spmm(mp::u_mul_e, mp::sum, {16}, {16})));
  EXPECT_FALSE(cpu_fast_sum(spmm(mp::u_mul_e, mp::sum, {2, 8}, {2})));
  EXPECT_TRUE(cpu_fast_sum(spmm(mp::copy_u, mp::sum, {2, 8}, {2})));
  EXPECT_GT(t.size(), 250u);
  size_t n_fast = 0;
  for (const Entry& x : t) n_fast += cpu_fast_sum(x);
  std::cout << "engine table: " << t.size() << " entries, " << n_fast << " of them on the CPU fast sum\n";
}

TEST(EngineTable, ForwardMatchesTheFloat64Reference) {
  const std::vector<Entry> t = table();
  const std::vector<TableGraph> graphs = reference_graphs();
  for (size_t i = 0; i < t.size(); ++i) {
    const Entry& x = t[i];
    const Tolerance tol = tolerance(x);
    for (size_t gi = 0; gi < graphs.size(); ++gi) {
      const Csr& g = graphs[gi].g;
      // Inputs drawn in float32 and widened: the float64 and float32 runs see the same values, so one float64
      // reference serves both (float32 within float32 rounding of it).
      const std::vector<Tensor> in32 = make_inputs(x, g, kFloat32, seed_of(i, gi));
      std::vector<Tensor> in;
      for (const Tensor& v : in32) in.push_back(v.defined() ? v.to(kFloat64) : Tensor());
      const Tensor want = reference(x, g, in);
      const Tensor got = apply(x, g, in);
      ASSERT_EQ(got.shape(), want.shape()) << x.name() << " on " << graphs[gi].name;
      EXPECT_TRUE(testing::all_close(got, want, 0, tol.f64)) << x.name() << " on " << graphs[gi].name << " (float64)";
      EXPECT_TRUE(testing::all_close(apply(x, g, in32), want, tol.f32, tol.f32))
          << x.name() << " on " << graphs[gi].name << " (float32)";
    }
  }
}

TEST(EngineTable, GradcheckEveryInput) {
  const std::vector<Entry> t = table();
  const std::vector<TableGraph> graphs = gradcheck_graphs();
  for (size_t i = 0; i < t.size(); ++i) {
    const Entry& x = t[i];
    // Every element of every input is perturbed twice: entries with rows wider than 32 values (F = 48, 128, GAT's
    // [4, 32]) are checked on the square graph alone, their narrower twins of the same op on all three.
    const bool wide = std::max(shape_numel(x.a), shape_numel(x.b)) > 32;
    for (size_t gi = 0; gi < (wide ? 1 : graphs.size()); ++gi) {
      const Csr& g = graphs[gi].g;
      auto f = [&](const std::vector<Tensor>& in) { return apply(x, g, in); };
      EXPECT_TRUE(testing::gradcheck(f, make_inputs(x, g, kFloat64, seed_of(i, gi))))
          << x.name() << " on " << graphs[gi].name << " " << g.str();
    }
  }
}

TEST(EngineTable, BitwiseDeterministicAcrossThreadCounts) {
  const std::vector<Entry> t = table();
  const TableGraph tg = threads_graph();
  const Csr& g = tg.g;
  for (size_t i = 0; i < t.size(); ++i) {
    const Entry& x = t[i];
    const std::vector<Tensor> in = make_inputs(x, g, kFloat32, seed_of(i, 0));
    auto f = [&](const std::vector<Tensor>& v) { return apply(x, g, v); };
    const Tensor w = testing::random_values(apply(x, g, in).shape(), 77, -1, 1, kFloat32);  // the backward's weights
    const std::vector<Tensor> base = testing::forward_backward(f, in, kCPU, 0, w);
    for (int threads : {1, 3}) {  // and the default (all cores) for `base`
      const std::vector<Tensor> got =
          testing::with_threads(threads, [&] { return testing::forward_backward(f, in, kCPU, 0, w); });
      EXPECT_TRUE(testing::bitwise_equal(got, base)) << x.name() << " with " << threads << " TBB threads";
    }
  }
}

// Split into shards of the table (entry i goes to shard i % kCudaShards) so that compute-sanitizer, which slows the
// kernels by orders of magnitude, can check each shard in its own bounded process, several at once.
constexpr int kCudaShards = 8;
class EngineTableCuda : public ::testing::TestWithParam<int> {};

TEST_P(EngineTableCuda, MatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const std::vector<Entry> t = table();
  for (const TableGraph& tg : cuda_graphs()) {
    const Csr& g = tg.g;
    const Csr gd = g.to(kCUDA);
    for (size_t i = static_cast<size_t>(GetParam()); i < t.size(); i += kCudaShards) {
      const Entry& x = t[i];
      const Tolerance tol = tolerance(x);
      auto f = [&](const std::vector<Tensor>& in) { return apply(x, testing::device_of(in).is_cuda() ? gd : g, in); };
      EXPECT_TRUE(testing::cuda_matches_cpu(f, make_inputs(x, g, kFloat32, seed_of(i, 0)),
                                            testing::Parity().tol(tol.cuda_rtol, tol.cuda_atol).repeatable()))
          << x.name() << " on " << tg.name << " (float32)";
      EXPECT_TRUE(testing::cuda_matches_cpu(f, make_inputs(x, g, kFloat64, seed_of(i, 0)),
                                            testing::Parity().tol(1e-9, 1e-9)))
          << x.name() << " on " << tg.name << " (float64)";
    }
  }
}
INSTANTIATE_TEST_SUITE_P(Shards, EngineTableCuda, ::testing::Range(0, kCudaShards));

// ---------------------------------------------------------------- the tables the kernels are made of
// Every op of core/message/binary_ops.h: d_lhs and d_rhs against float64 central differences of apply at random
// points (|r| kept >= 0.5 so that div stays far from its pole), and grad_lhs / grad_rhs equal to dy times them.
// The kernels never differentiate anything else, so this and the gradchecks above pin every message's gradient.
template <class Op>
void check_op_derivatives(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> mag(0.5, 3.0), any(-3.0, 3.0);
  std::bernoulli_distribution sign(0.5);
  constexpr double h = 1e-6;
  for (int i = 0; i < 200; ++i) {
    const double l = any(rng), r = (sign(rng) ? 1 : -1) * mag(rng), dy = any(rng);
    const double fd_l = (Op::apply(l + h, r) - Op::apply(l - h, r)) / (2 * h);
    const double fd_r = (Op::apply(l, r + h) - Op::apply(l, r - h)) / (2 * h);
    const double tol_l = 1e-7 * (1 + std::abs(fd_l)), tol_r = 1e-7 * (1 + std::abs(fd_r));
    EXPECT_NEAR(Op::d_lhs(l, r), fd_l, tol_l) << Op::name << " d_lhs at (" << l << ", " << r << ")";
    EXPECT_NEAR(Op::d_rhs(l, r), fd_r, tol_r) << Op::name << " d_rhs at (" << l << ", " << r << ")";
    EXPECT_NEAR(Op::grad_lhs(dy, l, r), dy * Op::d_lhs(l, r), 1e-14 * (1 + std::abs(dy * fd_l))) << Op::name;
    EXPECT_NEAR(Op::grad_rhs(dy, l, r), dy * Op::d_rhs(l, r), 1e-14 * (1 + std::abs(dy * fd_r))) << Op::name;
    // An operand the op does not read has derivative 0, and the float32 instantiation agrees with float64.
    if (!Op::use_lhs) EXPECT_EQ(Op::d_lhs(l, r), 0.0) << Op::name;
    if (!Op::use_rhs) EXPECT_EQ(Op::d_rhs(l, r), 0.0) << Op::name;
    const float lf = float(l), rf = float(r);
    EXPECT_NEAR(Op::apply(lf, rf), Op::apply(double(lf), double(rf)), 1e-6 * (1 + std::abs(Op::apply(l, r))))
        << Op::name << " float32";
  }
}

TEST(EngineTable, OpTableDerivatives) {
  std::mt19937_64 rng(12);
  using namespace mp::detail;
  check_op_derivatives<Add>(rng);
  check_op_derivatives<Sub>(rng);
  check_op_derivatives<Mul>(rng);
  check_op_derivatives<Div>(rng);
  check_op_derivatives<Dot>(rng);
  check_op_derivatives<CopyLhs>(rng);
  check_op_derivatives<CopyRhs>(rng);
  // Every runtime message and gsddmm op maps onto the table, and each gspmm message's sum/mean gradient message
  // (LhsGradMsg) maps back to a message: no (message, reduction) pair of kMsgs x kReduces throws.
  for (Msg m : kMsgs) {
    with_msg(m, [&]<class F>(F) {
      EXPECT_EQ(msg_of<F>(), m);
      if constexpr (F::use_lhs) {
        for (Reduce r : kReduces) EXPECT_NO_THROW(lhs_grad_msg<F>(msg_name(m), reduce_name(r)));
      }
    });
  }
  for (Binary b : kBinaries) with_binary(b, [&]<class F>(F) { EXPECT_TRUE(F::use_lhs || F::use_rhs); });
}

// An op whose lhs derivative depends on the lhs (here l * l * r) has no sum/mean gradient message: asking for one
// throws NotImplementedError naming the op and the reduction, so a new op cannot get a silent wrong gradient.
struct SquareTimes {
  static constexpr const char* name = "square_times";
  static constexpr bool use_lhs = true, use_rhs = true;
  static constexpr bool d_lhs_reads_lhs = true, d_lhs_reads_rhs = true;
  static constexpr bool d_rhs_reads_lhs = true, d_rhs_reads_rhs = false;
  using LhsGradMsg = void;
  using RhsGradMsg = void;
  template <class T> static constexpr T apply(T l, T r) { return l * l * r; }
  template <class T> static constexpr T d_lhs(T l, T r) { return T(2) * l * r; }
  template <class T> static constexpr T d_rhs(T l, T) { return l * l; }
  template <class T> static constexpr T grad_lhs(T dy, T l, T r) { return dy * (T(2) * l * r); }
  template <class T> static constexpr T grad_rhs(T dy, T l, T r) { return dy * (l * l); }
};
static_assert(mp::detail::check_op<SquareTimes>());

TEST(EngineTable, OpWithoutAGradientMessageThrows) {
  std::mt19937_64 rng(13);
  check_op_derivatives<SquareTimes>(rng);
  try {
    mp::detail::lhs_grad_msg<SquareTimes>(SquareTimes::name, "mean");
    ADD_FAILURE() << "expected NotImplementedError";
  } catch (const NotImplementedError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("square_times"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("mean"));
  }
}

// Every activation of core/detail/activation.h: backward_x against float64 central differences of forward, and
// backward_y(forward(x)) equal to backward_x(x) where the table has it, at random points away from the kinks.
template <class A>
void check_activation(const char* name, double a, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> any(-4.0, 4.0);
  constexpr double h = 1e-6;
  for (int i = 0; i < 200; ++i) {
    double x = any(rng);
    if (std::abs(x) < 1e-3) x = 0.5;  // relu, leaky_relu and elu have a kink at 0
    const double fd = (A::forward(x + h, a) - A::forward(x - h, a)) / (2 * h);
    EXPECT_NEAR(A::backward_x(x, a), fd, 1e-7 * (1 + std::abs(fd))) << name << " backward_x at " << x;
    if constexpr (A::has_backward_y) {
      EXPECT_NEAR(A::backward_y(A::forward(x, a), a), A::backward_x(x, a), 1e-12) << name << " backward_y at " << x;
    }
    const float xf = float(x);
    EXPECT_NEAR(A::forward(xf, float(a)), A::forward(double(xf), a), 1e-6 * (1 + std::abs(x))) << name << " float32";
  }
  // The left derivative at the kink (torch's convention).
  EXPECT_EQ(A::backward_x(0.0, a), A::backward_x(-1e-300, a)) << name << " at 0";
}

TEST(EngineTable, ActivationTableDerivatives) {
  std::mt19937_64 rng(14);
  using namespace loom::detail;
  check_activation<IdentityAct>("identity", 0, rng);
  check_activation<ReluAct>("relu", 0, rng);
  check_activation<LeakyReluAct>("leaky_relu", 0.2, rng);
  check_activation<EluAct>("elu", 1.0, rng);
  check_activation<EluAct>("elu(0.5)", 0.5, rng);
  check_activation<GeluAct>("gelu", 0, rng);
  check_activation<SigmoidAct>("sigmoid", 0, rng);
  check_activation<TanhAct>("tanh", 0, rng);
  // Every Activation dispatches, and every mp::Act (propagate's update) has backward_y and agrees with the runtime
  // per-element forms the fused kernels call.
  for (const auto& [act, act_name] : EnumNames<Activation>::table) {
    EXPECT_NO_THROW(with_activation(act, [&]<class A>(A) { return A::forward(0.5, 0.2); })) << act_name;
  }
  for (Act act : {Act::kIdentity, Act::kRelu, Act::kLeakyRelu, Act::kSigmoid, Act::kTanh}) {
    with_activation(act, [&]<class A>(A) {
      ASSERT_TRUE(A::has_backward_y) << op_name(act);
      if constexpr (A::has_backward_y) {
        for (double x : {-1.5, -0.25, 0.75, 2.0}) {
          const double y = A::forward(x, kSlope);
          EXPECT_EQ(activation_forward(act, x, kSlope), y) << op_name(act);
          EXPECT_EQ(activation_backward_y(act, y, kSlope), A::backward_y(y, kSlope)) << op_name(act);
        }
      }
    });
  }
}

}  // namespace
}  // namespace loom
