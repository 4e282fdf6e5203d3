# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rehearsal: the cloud target run offline against the AWS and Azure TEST DOUBLES, with a
real data plane (namespaces, strongSwan, sshd, nftables) realized from what the doubles hold.
See README.md."""
