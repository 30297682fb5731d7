"""``python -m contradict.training``: train the offline model's three-way head (default), or
``python -m contradict.training finetune {train,export} ...``: fine-tune its backbone with LoRA."""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "finetune":
    from contradict.training.finetune import main as finetune_main

    finetune_main(sys.argv[2:])
else:
    from contradict.training.heads import main

    main()
