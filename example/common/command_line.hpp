//
// example/common/command_line.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The examples' command line: "--name value" options and "--name" flags.
//
//   examples::command_line args(argc, argv, usage);   // --help / -h: prints usage, exit 0
//   const auto port = args.get<unsigned short>("--port", 7000);
//   const bool verbose = args.flag("-v");
//   args.done();                                      // unknown arguments: usage error
//
// A usage error prints the reason and the usage on stderr and exits with 64
// (EX_USAGE).

#ifndef TASKIO_EXAMPLE_COMMON_COMMAND_LINE_HPP
#define TASKIO_EXAMPLE_COMMON_COMMAND_LINE_HPP

#include <taskio/clock.hpp>

#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace examples {

class command_line {
public:
  /// Exits with the usage (status 0) on --help or -h.
  command_line(int argc, char** argv, std::string usage);

  /// The value after `name`, or `fallback`. A value that does not parse
  /// as a T is a usage error.
  template <class T>
  T get(std::string_view name, T fallback) {
    const std::size_t i = find_option(name);
    if (i == args_.size()) return fallback;
    std::istringstream in(args_[i + 1]);
    T value;
    if (!(in >> value) || !in.eof()) fail("bad value for " + args_[i] + ": " + args_[i + 1]);
    return value;
  }

  /// A duration given in seconds (fractions allowed); negative: a usage error.
  taskio::clock::duration seconds(std::string_view name, double fallback);

  /// Whether the flag `name` was given.
  bool flag(std::string_view name);

  /// Call once every option was read: unknown arguments are an error.
  void done() const;

  /// Prints `why` and the usage on stderr, exits with 64 (EX_USAGE).
  [[noreturn]] void fail(const std::string& why) const;

private:
  /// The index of option `name` (its value follows), marked used; args_.size() if absent.
  std::size_t find_option(std::string_view name);

  std::vector<std::string> args_;
  std::vector<bool> used_;
  std::string usage_;
};

}  // namespace examples

#endif  // TASKIO_EXAMPLE_COMMON_COMMAND_LINE_HPP
