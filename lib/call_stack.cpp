//
// lib/call_stack.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Naming a task's coroutine frames (detail/call_stack.hpp) with
// Boost.Stacktrace's libbacktrace backend (boost_stacktrace_backtrace): the
// function from the symbol table or the debug information, file and line
// from the debug information, no external tool at run time.

#define BOOST_STACKTRACE_LINK  // the compiled boost_stacktrace_backtrace, not the header-only default
#include <taskio/detail/call_stack.hpp>

#include <boost/stacktrace/frame.hpp>

namespace taskio::detail {

namespace {

/// Frames of the library and of Asio: implementation, not the program's.
bool hidden(std::string_view function) {
  return function.starts_with("taskio::") || function.starts_with("boost::asio::") ||
         function.starts_with("std::");
}

void erase_all(std::string& s, std::string_view what) {
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at)) s.erase(at, what.size());
}

}  // namespace

std::string coroutine_function(std::string_view demangled) {
  std::string s(demangled);
  if (auto clone = s.find(" [clone "); clone != std::string::npos) s.erase(clone);
  erase_all(s, "(anonymous namespace)::");
  erase_all(s, "{anonymous}::");
  // the parameter list (with any qualifiers after it): from the '(' that
  // matches the last ')'
  if (auto close = s.rfind(')'); close != std::string::npos) {
    int depth = 0;
    for (std::size_t i = close + 1; i-- > 0;) {
      if (s[i] == ')') ++depth;
      if (s[i] == '(' && --depth == 0) {
        s.erase(i);
        break;
      }
    }
  }
  // the return type (a function template's): up to the last space outside
  // brackets
  int depth = 0;
  std::size_t name_at = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<' || c == '(' || c == '[' || c == '{') ++depth;
    if (c == '>' || c == ')' || c == ']' || c == '}') --depth;
    if (c == ' ' && depth == 0) name_at = i + 1;
  }
  return s.substr(name_at) + "()";
}

std::vector<frame_info> coroutine_stack(const std::vector<void*>& chain) {
  std::vector<frame_info> frames;
#if defined(__GNUC__)  // GCC's and Clang's ABI: a frame begins with its resume function
  for (void* coroutine : chain) {
    using resume_fn = void (*)(void*);
    const resume_fn resume = *static_cast<const resume_fn*>(coroutine);
    if (!resume) continue;  // at its final suspension point
    const boost::stacktrace::frame f(resume);
    const std::string name = f.name();
    if (name.empty()) continue;
    std::string function = coroutine_function(name);
    if (hidden(function)) continue;
    frames.push_back(frame_info{std::move(function), f.source_file(), static_cast<unsigned>(f.source_line())});
  }
#else
  (void)chain;
#endif
  return frames;
}

}  // namespace taskio::detail
