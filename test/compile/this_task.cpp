// Header self-containment: <taskio/this_task.hpp> compiles alone (no PCH), twice.
#include <taskio/this_task.hpp>
#include <taskio/this_task.hpp>
