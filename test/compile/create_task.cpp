// Header self-containment: <taskio/create_task.hpp> compiles alone (no PCH), twice.
#include <taskio/create_task.hpp>
#include <taskio/create_task.hpp>
