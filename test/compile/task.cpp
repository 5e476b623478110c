// Header self-containment: <taskio/task.hpp> compiles alone (no PCH), twice.
#include <taskio/task.hpp>
#include <taskio/task.hpp>
