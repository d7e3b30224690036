// The full-batch node-classification loop: Adam on the training nodes, evaluation in eval mode each epoch,
// best-validation weights kept and restored.
#include "loom/models/node_classification.h"

#include <chrono>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"

namespace loom::models {

double accuracy(const Tensor& logits, const Tensor& y, const Tensor& idx) {
  LOOM_CHECK(logits.dim() == 2 && y.dim() == 1 && logits.size(0) == y.size(0), ShapeError,
             "accuracy: logits ", logits.shape_str(), " and labels ", y.shape_str(), " do not match");
  if (idx.numel() == 0) return 0.0;
  NoGradGuard no_grad;
  const Tensor pred = argmax(index_select(logits, idx), 1).cpu();
  const std::vector<int64_t> p = pred.to_vector<int64_t>();
  const std::vector<int64_t> truth = y.cpu().to_vector<int64_t>();
  const std::vector<int64_t> ids = idx.cpu().to(kInt64).to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < ids.size(); ++i) correct += p[i] == truth[static_cast<size_t>(ids[i])];
  return static_cast<double>(correct) / static_cast<double>(ids.size());
}

namespace {
NamedTensors snapshot(const nn::Module& model) {
  NamedTensors copy;
  for (const auto& [name, t] : model.state_dict()) copy.insert(name, t.detach().clone());
  return copy;
}
}  // namespace

TrainResult train_node_classifier(nn::Module& model, const std::function<Tensor(bool training)>& forward,
                                  const data::NodeDataset& data, const TrainOptions& options) {
  LOOM_CHECK(options.epochs > 0, ValueError, "train: epochs must be positive, got ", options.epochs);
  LOOM_CHECK(data.train_idx.numel() > 0, ValueError, "train: the split of '", data.name, "' has no training nodes");
  using Clock = std::chrono::steady_clock;
  const auto t_start = Clock::now();
  optim::Adam opt(model.parameters(), optim::AdamOptions(options.lr).weight_decay(options.weight_decay));
  const Tensor y_train = index_select(data.y, data.train_idx);
  const bool has_val = data.val_idx.defined() && data.val_idx.numel() > 0;

  TrainResult result;
  NamedTensors best;
  double best_val = -1;
  int since_best = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto t0 = Clock::now();
    model.train();
    opt.zero_grad();
    Tensor logits = forward(true);
    Tensor loss = cross_entropy(index_select(logits, data.train_idx), y_train);
    loss.backward();
    opt.step();

    model.eval();
    EpochStats s;
    s.epoch = epoch;
    s.loss = loss.item_double();
    {
      NoGradGuard no_grad;
      Tensor eval_logits = forward(false);
      s.train_acc = accuracy(eval_logits, data.y, data.train_idx);
      s.val_acc = has_val ? accuracy(eval_logits, data.y, data.val_idx) : s.train_acc;
    }
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    result.history.push_back(s);
    if (options.on_epoch) options.on_epoch(s);
    // Ties go to the later epoch (the longer-trained weights), as PyG's reference protocol does; without a
    // validation split "best" means "last".
    if (s.val_acc >= best_val || !has_val) {
      best_val = s.val_acc;
      result.best_epoch = epoch;
      best = snapshot(model);
      since_best = 0;
    } else if (options.patience > 0 && ++since_best >= options.patience) {
      result.epochs_run = epoch;
      break;
    }
    result.epochs_run = epoch;
  }
  model.load_state_dict(best);
  model.eval();
  NoGradGuard no_grad;
  Tensor logits = forward(false);
  result.best_val_acc = best_val;
  result.train_acc = accuracy(logits, data.y, data.train_idx);
  result.test_acc = accuracy(logits, data.y, data.test_idx);
  result.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  return result;
}

}  // namespace loom::models
