/** A three-session chat memory in the importer's rendering, for the selection tests. */
export const MEMORY = [
  'Session 1 (1:56 pm on 8 May, 2023): Caroline and Melanie',
  'Caroline: Hey Mel! Good to see you! How have you been?',
  'Melanie: Hey Caroline! I am swamped with the kids and work. What is up with you?',
  'Caroline: I went to a LGBTQ support group yesterday and it was so powerful.',
  'Melanie: Wow, that is cool, Caroline! What happened that was so awesome?',
  'Caroline: The transgender stories were so inspiring! I was so happy and thankful for all the support.',
  '',
  'Session 2 (1:14 pm on 25 May, 2023): Caroline and Melanie',
  'Melanie: Hey Caroline, since we last chatted, I have had a lot of things happening to me.',
  'Melanie: I ran a charity race for mental health last Saturday, it was really rewarding.',
  'Caroline: That is awesome, Mel! What did you think about while running?',
  'Melanie: I painted a lake sunrise last year, it is special to me.',
  'Caroline: I am thinking about a career in counseling and mental health.',
  '',
  'Session 3 (3:00 pm on 9 June, 2023): Caroline and Melanie',
  'Caroline: My friends threw me a birthday party with a chocolate cake.',
  'Melanie: We took the kids camping in the mountains and roasted marshmallows.',
  'Caroline: Camping sounds lovely, I should try that with my friends.',
].join('\n');

/** A team handbook of four sections, one of which answers a question about leave. */
export const HANDBOOK = [
  '# Team handbook',
  '',
  "Welcome to the team! We're so glad you're here and we hope you'll love working with us.",
  '',
  '## Getting started',
  '',
  'Your laptop is ordered two weeks before your first day. IT sets it up with the VPN client and your SSO account. Badge photos are taken on Monday mornings at the front desk.',
  '',
  '## Time off',
  '',
  'You get 27 days of paid leave a year, plus public holidays. Ask your manager at least two weeks ahead for anything longer than three days. Sick days do not come out of your leave.',
  '',
  '## Expenses',
  '',
  'Keep receipts for anything over 25 euros. Submit expenses in Pleo by the 5th of the following month. Travel must be booked through Navan.',
  '',
].join('\n');

/**
 * `kubectl describe pod` of a container killed for its memory and restarting: fields indented
 * under their keys, a value over two lines, an events table (field-tree.test.ts reads its shape,
 * reasons.test.ts asks why the pod restarts).
 */
export const DESCRIBE_POD = [
  'Name:             checkout-api-7d9f8b6c5-x2k4q',
  'Namespace:        shop',
  'Labels:           app=checkout-api',
  '                  pod-template-hash=7d9f8b6c5',
  'Status:           Running',
  'Containers:',
  '  api:',
  '    Image:          registry.example.com/shop/checkout-api:2.14.1',
  '    State:          Running',
  '      Started:      Tue, 12 Nov 2024 09:02:47 +0100',
  '    Last State:     Terminated',
  '      Reason:       OOMKilled',
  '      Exit Code:    137',
  '    Ready:          True',
  '    Restart Count:  4',
  '    Limits:',
  '      cpu:     500m',
  '      memory:  512Mi',
  'QoS Class:                   Burstable',
  'Events:',
  '  Type     Reason     Age                  From     Message',
  '  ----     ------     ----                 ----     -------',
  '  Warning  BackOff    12m (x6 over 48m)    kubelet  Back-off restarting failed container api in pod checkout-api-7d9f8b6c5-x2k4q',
  '  Normal   Pulled     11m (x5 over 58m)    kubelet  Container image "registry.example.com/shop/checkout-api:2.14.1" already present on machine',
  '  Normal   Created    11m (x5 over 58m)    kubelet  Created container api',
].join('\n');
