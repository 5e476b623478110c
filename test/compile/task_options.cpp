// Header self-containment: <taskio/task_options.hpp> compiles alone (no PCH), twice.
#include <taskio/task_options.hpp>
#include <taskio/task_options.hpp>
