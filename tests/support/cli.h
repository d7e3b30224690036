// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Running the real `loom` binary (LOOM_CLI, set by the test's CMake) as a user would: spawned with its stdout and
// stderr in files, with extra environment variables, waited for, and its exit reported (a signal as -signo).
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace loom::testing {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Starts `loom args...` with stdout and stderr redirected to files and `env` ("NAME=value", added to or replacing
// this process's variables; "NAME" alone removes it); returns its pid.
inline pid_t spawn_loom(const std::vector<std::string>& args, const std::filesystem::path& out,
                        const std::filesystem::path& err, const std::vector<std::string>& env = {}) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> all{LOOM_CLI};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string v(*e);
    bool replaced = false;
    for (const std::string& x : env) {
      const std::string name = x.substr(0, x.find('='));
      replaced = replaced || v.rfind(name + "=", 0) == 0;
    }
    if (!replaced) vars.push_back(v);
  }
  for (const std::string& x : env)
    if (x.find('=') != std::string::npos) vars.push_back(x);
  std::vector<char*> envp;
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, LOOM_CLI, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "posix_spawn " << LOOM_CLI;
  return pid;
}

// The exit code, or -signal when the child was killed by one.
inline int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

struct CliRun {
  int code = 0;
  std::string out, err;
};

// Runs `loom args...` to the end in `dir` (its output files live there).
inline CliRun run_loom(const std::vector<std::string>& args, const std::filesystem::path& dir,
                       const std::vector<std::string>& env = {}) {
  const std::filesystem::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  CliRun r;
  r.code = wait_exit(spawn_loom(args, out, err, env));
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace loom::testing
