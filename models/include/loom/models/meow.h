// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MEOW (Yu & Li, SDM 2023): self-supervised embeddings of a heterogeneous graph's target type by contrasting a coarse
// view (which nodes are meta-path connected) with a fine-grained view (how: the meta-path contexts, the intermediate
// nodes), with negatives weighted by how often k-means puts them in the anchor's cluster. Method note
// ../shared/papers/meow.md; where it is silent we follow the released code (jianxiangyu/MEOW, code_meow/):
//   h_t      = ELU(Dropout(TypeEncoder_t(x_t)))                       every type on a meta-path, width d
//   context  c_s = sum_k Dropout(W_{s,k} mean_{v in I_{s,k}(i)} h_{t_k}[v])   k = 1 .. L_s - 1 (positions of P_s)
//   g_s      = ELU(h_target + c_s),  g~_s = ELU(h~_target + c_s)      (h~: masked target features, no dropout)
//   z_s      = GCNEnc(g_s, A^_s),  z~_s = GCNEnc(g~_s, A~_s),  z^c = GCNEnc(h_target, mean_s A^_s)
//   z^f      = SemanticAttention(normalise(z_1), normalise(z~_1), ...)   the output embedding
//   p^v      = normalise(tanh(W_p z^v + b_p))                          v = c (coarse), f (fine); W_p shared
// GCNEnc (one module for every view and meta-path, as in the code): A (Dropout(X W1)) -> PReLU -> A (Dropout(. W2))
// -> LayerNorm over the whole [N, d] tensor (no affine). The loss (meow_loss) is computed from p^c and p^f.
// AdaMEOW (Yu et al., TKDE 2024; code_adameow/) is the same model with MEOWWeighting::kLearned: no clustering; each
// negative's weight is learned, w_ij = sigmoid(MLP(p^f_i + p^c_j)) (PairWeight), and the loss is adaptive_info_nce.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/options.h"
#include "loom/core/sparse.h"
#include "loom/hetero/hetero_graph.h"
#include "loom/hetero/hetero_sage.h"
#include "loom/hetero/metapath.h"
#include "loom/models/han.h"

namespace loom::models {

// ---------------------------------------------------------------- inputs, built once before training

// Preprocessing (meow.md "Preprocessing"); one entry per meta-path in nei_max and adj_mask. DBLP's code defaults.
struct MEOWInputOptions {
  LOOM_ARG(std::vector<int64_t>, nei_max);  // PathSim top-k per meta-path (empty: keep every neighbour)
  LOOM_ARG(std::vector<double>, adj_mask);  // fraction of each pruned meta-path graph's edges dropped (empty: none)
  LOOM_ARG(double, feat_mask) = 0.2;        // fraction of the target features' non-zeros zeroed
  LOOM_ARG(uint64_t, seed) = 0;             // of the two augmentations
};

struct MEOWInputs {
  std::vector<hetero::MetaPath> paths;
  std::string target;
  std::vector<Csr> adj;         // A^_s: D^-1/2 A_s^T D^-1/2 of the PathSim-pruned path counts (D: their row sums)
  std::vector<Csr> adj_masked;  // A~_s: the pruned pattern without the diagonal, adj_mask dropped, + I, normalised
  Csr coarse;                   // mean_s A^_s
  // contexts[s][k-1]: the pattern of the prefix P_s[0..k] (target -> the type at position k), for the mean over
  // the type-t_k nodes reachable along the meta-path's first k steps.
  std::vector<std::vector<Csr>> contexts;
  std::vector<std::vector<std::string>> context_types;
  Tensor x_masked;       // dense masked target features, or undefined
  Csr x_masked_sparse;   // sparse masked target features, or undefined
  std::vector<int64_t> full_nnz, nnz;  // per meta-path: before and after PathSim pruning
  MEOWInputs to(Device device) const;
};

// PathSim pruning of a square count matrix: sim(i, j) = 2 A_ij / (A_ii + A_jj) over i's non-zeros, the k most
// similar kept (ties to the lower column), values the counts. k <= 0 keeps every entry.
Csr pathsim_topk(const Csr& counts, int64_t k);

// ValueError naming the problem for no meta-path, one not from and to `target`, option lists whose length is not
// the number of meta-paths, fractions outside [0, 1), or a target without features.
MEOWInputs meow_inputs(const hetero::HeteroGraph& g, const std::vector<hetero::MetaPath>& paths,
                       const std::string& target, const MEOWInputOptions& options);

// ---------------------------------------------------------------- model

// How the negatives of the contrastive loss are weighted: MEOW's k-means agreement (plus the prototype loss), or
// AdaMEOW's pairwise MLP trained with the rest of the model.
enum class MEOWWeighting { kClusters, kLearned };

struct MEOWOptions {
  LOOM_ARG(int64_t, hidden) = 64;    // every width: type projections, GCNEnc layers, embedding, projection
  LOOM_ARG(double, dropout) = 0.2;   // projections, contexts, GCNEnc and the semantic attention vector
  LOOM_ARG(double, tau) = 0.9;       // temperature of both losses
  LOOM_ARG(double, lambda_proto) = 1.0;  // kClusters only
  LOOM_ARG(MEOWWeighting, weighting) = MEOWWeighting::kClusters;
  LOOM_ARG(int64_t, weight_hidden) = 16;  // kLearned: the pairwise MLP's hidden width (the code's 16)
};

// AdaMEOW's negative weights: w_ij = sigmoid(w2 . tanh(W1 (anchor_i + other_j) + b1) + b2), the code's
// Linear(d, 16) -> Tanh -> Linear(16, 1) -> Sigmoid on the sum of the two projected embeddings. Because W1 is linear,
// W1 (anchor_i + other_j) + b1 = a_i + b_j with a = anchor W1^T + b1 and b = other W1^T, both [N, hidden]: the
// [N, N, d] tensor of summed pairs the code builds is never formed, only [rows, N, hidden] pre-activations.
class PairWeight : public nn::Module {
 public:
  PairWeight(int64_t in_features, int64_t hidden);
  // The hidden pre-activations of the two sides: a = anchor W1^T + b1 and b = other W1^T.
  Tensor anchor_side(const Tensor& anchor) const;
  Tensor other_side(const Tensor& other) const;
  // w for the anchor rows given by a_rows [R, hidden] against all of b [M, hidden]: [R, M], entries in (0, 1).
  Tensor weights(const Tensor& a_rows, const Tensor& b) const;
  // All pairs, [N, M] (tests and small N).
  Tensor forward(const Tensor& anchor, const Tensor& other) const;
  std::shared_ptr<nn::Linear> hidden, out;  // parameters hidden.{weight,bias}, out.{weight,bias}
};

// AdaMEOW's loss: L = -mean_i log( exp(s_ii / tau) / sum_j w_ij exp(s_ij / tau) ), s_ij = anchor_i . other_j and
// w = weight(anchor, other); j = i is in the denominator (with its learned w_ii). Differentiable in anchor, other and
// the MLP's parameters (the code does not detach w, so the weights learn from this loss alone). Computed over blocks
// of tile_rows anchor rows so the transient [rows, N, hidden] tensors stay small; the autograd graph still holds
// each block's tanh output until backward (N^2 x hidden values in all: about 1 GB in float32 at N = 4057).
Tensor adaptive_info_nce(const Tensor& anchor, const Tensor& other, const PairWeight& weight, double tau,
                         int64_t tile_rows = 256);

// GCNEnc: two propagations over a normalised adjacency given as a valued Csr; see the file comment.
class GCNEncoder : public nn::Module {
 public:
  GCNEncoder(int64_t in_features, int64_t hidden, double dropout);
  Tensor forward(const Csr& adj, const Tensor& x);
  Tensor w1, w2, prelu;  // [in, hidden], [hidden, hidden], [1] (PReLU slope, 0.25 at start)

 private:
  double dropout_;
};

struct MEOWOutput {
  Tensor embedding;  // z^f [N, d]: the output embeddings
  Tensor coarse;     // p^c [N, d], unit rows
  Tensor fine;       // p^f [N, d], unit rows
};

// Parameters: encoders.<type>.*, context.<s>.<k>.weight, gcn.{w1,w2,prelu}, semantic.*, project.*, and with
// kLearned pair_weight.{hidden,out}.{weight,bias}.
class MEOW : public nn::Module {
 public:
  MEOW(const hetero::HeteroGraph& g, const MEOWInputs& inputs, const MEOWOptions& options);
  MEOWOutput forward(const hetero::HeteroGraph& g, const MEOWInputs& inputs);
  const MEOWOptions& options() const { return options_; }
  // The learned negative weights (kLearned), null for kClusters.
  const PairWeight* pair_weight() const { return pair_weight_.get(); }

 private:
  MEOWOptions options_;
  std::string target_;
  std::vector<std::pair<std::string, std::shared_ptr<hetero::TypeEncoder>>> encoders_;
  std::vector<std::vector<std::shared_ptr<nn::Linear>>> context_;
  std::shared_ptr<GCNEncoder> gcn_;
  std::shared_ptr<SemanticAttention> semantic_;
  std::shared_ptr<nn::Linear> project_;
  std::shared_ptr<PairWeight> pair_weight_;
  size_t num_paths_ = 0;
};

// ---------------------------------------------------------------- clustering and losses

// Spherical k-means on the rows of x [N, D] (as faiss with an inner-product index on unit rows): assignment by the
// largest inner product with the unit centroids, `iters` Lloyd steps from k distinct rows drawn with `seed`; an
// emptied cluster keeps its centroid. ValueError unless 1 <= k <= N.
struct KMeansResult {
  Tensor assignment;  // int64 [N]
  Tensor centroids;   // [k, D], unit rows (x's dtype)
  Tensor similarity;  // [N] inner product of each row with its centroid (x's dtype)
};
KMeansResult kmeans(const Tensor& x, int64_t k, int64_t iters, uint64_t seed);

// MEOW's negative weights from R clusterings: w_ij = R - #{r : c_r(i) = c_r(j)}, [N, N] of `dtype` (0 on the
// diagonal, and for pairs that share every cluster). ValueError for no clustering or assignments of unequal length.
Tensor cluster_weights(const std::vector<Tensor>& assignments, DType dtype = kFloat32);

// L_info = -mean_i log( exp(s_ii / tau) / sum_j w_ij exp(s_ij / tau) ),  s_ij = anchor_i . other_j; anchor, other
// [N, d], w [N, N] (the positive is in the denominator only if w_ii > 0). Differentiable in anchor and other.
Tensor weighted_info_nce(const Tensor& anchor, const Tensor& other, const Tensor& w, double tau);

// PCL's ProtoNCE for one clustering: cross-entropy of logits_ik = anchor_i . c_k / phi_k against assignment_i;
// centroids [k, d] and phi [k] are constants. cluster_concentration gives phi as MEOW's code does: per cluster
// mean(sqrt(similarity)) / log(size + 5) (singletons get the largest), clipped to the 10th..90th percentile and
// scaled to mean tau.
Tensor proto_nce(const Tensor& anchor, const Tensor& centroids, const Tensor& phi, const Tensor& assignment);
Tensor cluster_concentration(const KMeansResult& clusters, double tau);

// ---------------------------------------------------------------- training

struct MEOWTrainOptions {
  LOOM_ARG(double, lr) = 6e-4;
  LOOM_ARG(double, weight_decay) = 0.0;
  LOOM_ARG(int64_t, epochs) = 10000;                       // upper bound; early stopping ends it
  LOOM_ARG(int64_t, patience) = 35;                        // epochs without a lower training loss
  LOOM_ARG(std::vector<int64_t>, clusters) = {200, 700};  // k of each clustering (each capped at N); kClusters only
  LOOM_ARG(int64_t, kmeans_iters) = 20;
  LOOM_ARG(uint64_t, seed) = 0;                            // of the k-means initialisations
  LOOM_ARG(bool, verbose) = false;                         // a progress line on stderr every 10 epochs
};

struct MEOWTrainResult {
  Tensor embedding;  // z^f of the last epoch's forward, detached (the code saves the last epoch's, not the best)
  std::vector<double> losses;  // per epoch
  int64_t epochs = 0;
  double seconds = 0;
};

// The whole MEOW loss for one forward (the clusterings from p^f, detached): L_info + lambda L_proto.
Tensor meow_loss(const MEOWOutput& out, const std::vector<int64_t>& clusters, int64_t kmeans_iters, double tau,
                 double lambda_proto, uint64_t seed);

// One epoch's loss for the model's weighting: meow_loss (kClusters) or adaptive_info_nce with p^f as the anchor, as
// AdaMEOW's code calls weight_InfoNce(z_fine, z_coarse) (kLearned).
Tensor model_loss(const MEOW& model, const MEOWOutput& out, const MEOWTrainOptions& options);

MEOWTrainResult train_meow(MEOW& model, const hetero::HeteroGraph& g, const MEOWInputs& inputs,
                           const MEOWTrainOptions& options);

}  // namespace loom::models
