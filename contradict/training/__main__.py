"""``python -m contradict.training``: train the offline model's three-way head (default);
``python -m contradict.training finetune {train,export} ...``: fine-tune its backbone with LoRA;
``python -m contradict.training newspairs ...``: build same-article claim pairs from FNC-1 train topics."""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "finetune":
    from contradict.training.finetune import main as finetune_main

    finetune_main(sys.argv[2:])
elif len(sys.argv) > 1 and sys.argv[1] == "newspairs":
    from contradict.training.newspairs import main as newspairs_main

    newspairs_main(sys.argv[2:])
else:
    from contradict.training.heads import main

    main()
