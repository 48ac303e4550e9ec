/* libFuzzer target: the state files (a saved plan, a task status). */
#include "fuzz.h"
#include "gp/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan p;
	struct task_status st;
	struct strbuf out = STRBUF_INIT;

	fuzz_setup();
	plan_init(&p);
	/* a plan read back must serialise again */
	if (!plan_parse(&p, "plan", (const char *)data, size))
		plan_serialize(&p, &out);
	plan_release(&p);
	task_status_init(&st, "T1");
	state_task_parse(&st, "tasks/T1", (const char *)data, size);
	task_status_release(&st);
	strbuf_release(&out);
	return 0;
}
