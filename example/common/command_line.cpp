//
// example/common/command_line.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "common/command_line.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace examples {

command_line::command_line(int argc, char** argv, std::string usage)
    : args_(argv + 1, argv + argc), used_(args_.size(), false), usage_(std::move(usage)) {
  if (flag("--help") || flag("-h")) {
    std::cout << usage_;
    std::exit(0);
  }
}

std::size_t command_line::find_option(std::string_view name) {
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (args_[i] != name) continue;
    if (i + 1 == args_.size()) fail("missing value for " + args_[i]);
    used_[i] = used_[i + 1] = true;
    return i;
  }
  return args_.size();
}

taskio::clock::duration command_line::seconds(std::string_view name, double fallback) {
  const double s = get(name, fallback);
  if (!(s >= 0)) fail("negative duration for " + std::string(name));
  return std::chrono::duration_cast<taskio::clock::duration>(std::chrono::duration<double>(s));
}

bool command_line::flag(std::string_view name) {
  for (std::size_t i = 0; i < args_.size(); ++i)
    if (args_[i] == name) return used_[i] = true;
  return false;
}

void command_line::done() const {
  for (std::size_t i = 0; i < args_.size(); ++i)
    if (!used_[i]) fail("unknown argument: " + args_[i]);
}

void command_line::fail(const std::string& why) const {
  std::cerr << why << "\n\n" << usage_;
  std::exit(64);  // EX_USAGE
}

}  // namespace examples
