/**
 * A stand-in for a desk process that prints a lot (tests/chaos/deskProcess.chaos.test.ts): some
 * lines, its start marker, then lines without end, as the email worker logs every email it sends.
 * `CHATTY_EXIT=1`: it exits before its marker, as a process that fails to start would.
 */
const role = process.argv[2];
const marker = role === 'projector' ? 'projector running' : 'email worker running';
const line = (msg: string) => process.stdout.write(`${JSON.stringify({ level: 30, msg, pad: 'x'.repeat(200) })}\n`);

for (let i = 0; i < 20; i++) line('starting');
if (process.env.CHATTY_EXIT === '1') process.exit(3);
line(marker);
setInterval(() => {
  for (let i = 0; i < 20; i++) line('email sent');
}, 5);
