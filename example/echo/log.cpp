//
// example/echo/log.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "echo/log.hpp"

#include <taskio/task.hpp>
#include <taskio/this_task.hpp>

namespace echo {

logger_type& logger() {
  static logger_type instance(boost::log::keywords::channel = std::string("echo"));
  return instance;
}

std::string task_name() {
  const taskio::task_ref t = taskio::current_task();
  return t ? t.get_name() : std::string();
}

}  // namespace echo
